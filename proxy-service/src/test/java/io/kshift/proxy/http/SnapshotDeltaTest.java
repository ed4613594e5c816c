package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kshift.model.ScaleFixtures;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.event.Schemas;
import io.kshift.model.event.SnapshotDelta;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.proxy.config.RouteTableHolder;
import io.kshift.proxy.config.SnapshotApplier;
import io.kshift.testkit.Bus;
import io.kshift.testkit.EmbeddedKafka;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A node builds a delta record on the config it runs when that config is the delta's checkpoint or later, and
 * passes over any delta that does not fit: a count that does not add up, an unreadable record, a generation it has
 * passed, or a checkpoint it has not seen. A checkpoint is decoded against the one before it (only what changed
 * since). The weights show which record was used.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class SnapshotDeltaTest {
    @Inject
    RouteTableHolder tables;
    @Inject
    SnapshotApplier applier;

    /**
     * Once the node runs the topic's newest generation, a checkpoint of {@link #threeServices()} after it, run; its
     * generation. Other tests of this JVM may have left snapshots on the topic.
     */
    static long runningThreeServices(RouteTableHolder tables) {
        long c = new io.kshift.model.event.SnapshotLoader(EmbeddedKafka.bootstrapServers(), MeshTopics.CONFIG)
                .latest().generation() + 1;
        await().atMost(Duration.ofSeconds(30)).until(() -> tables.get().generation() >= c - 1);
        checkpoint(c, threeServices());
        await().atMost(Duration.ofSeconds(30)).until(() -> tables.get().generation() == c);
        return c;
    }

    static MeshConfig threeServices() {
        return MeshConfig.of(ScaleFixtures.services(3));
    }

    @Test
    void deltasOnTheRunningCheckpointAreAppliedAndAnyOtherIsPassedOver() {
        long c = runningThreeServices(tables);
        MeshConfig g1 = threeServices();
        long applied = applier.deltasApplied();

        // svc-0 goes 30/70, then 40/60: each delta is cumulative since the checkpoint and applies on what runs.
        MeshConfig.Changed to30 = g1.apply(ScaleFixtures.service(0, 30, "127.0.0.1"));
        SnapshotDelta d1 = step(c + 1, g1, to30);
        delta(d1);
        await().atMost(Duration.ofSeconds(30)).until(() -> tables.get().generation() == c + 1);
        assertThat(weights("svc-0")).containsExactly(30, 70);
        MeshConfig.Changed to40 = to30.config().apply(ScaleFixtures.service(0, 40, "127.0.0.1"));
        SnapshotDelta d2 = d1.then(step(c + 2, to30.config(), to40));
        delta(d2);
        await().atMost(Duration.ofSeconds(30)).until(() -> tables.get().generation() == c + 2);
        assertThat(applier.deltasApplied()).isEqualTo(applied + 2);
        assertThat(weights("svc-0")).containsExactly(40, 60);
        assertThat(tables.get().config().all()).containsExactlyElementsOf(to40.config().all());

        // A count the result cannot have, and a record that does not decode: neither moves the node.
        MeshConfig.Changed to50 = to40.config().apply(ScaleFixtures.service(0, 50, "127.0.0.1"));
        SnapshotDelta d3 = d2.then(step(c + 3, to40.config(), to50));
        delta(new SnapshotDelta(null, d3.base(), d3.generation(), d3.changeId(), d3.createdAt(), d3.resources() + 1,
                d3.status(), d3.upserts(), d3.deletes()));
        Bus.send(MeshTopics.CONFIG, MeshTopics.DELTA_KEY, "{\"base\":");
        // The next good one (svc-2 deleted as well) lands on the generation the node still runs.
        MeshConfig.Changed deleted = to50.config().delete(ScaleFixtures.service(2, 90, "127.0.0.1"));
        SnapshotDelta d4 = d3.then(step(c + 4, to50.config(), deleted));
        delta(d4);
        await().atMost(Duration.ofSeconds(30)).until(() -> tables.get().generation() == c + 4);
        assertThat(applier.deltasApplied()).isEqualTo(applied + 3);
        assertThat(weights("svc-0")).containsExactly(50, 50);
        assertThat(tables.get().config().all()).containsExactlyElementsOf(deleted.config().all());
        assertThat(tables.get().mesh().routes("svc-2.scale:8000")).isNull();

        // A new checkpoint is decoded against the last one, deltas in between or not: what has not changed since
        // is the object the node already runs, not decoded again. An old delta after it, and one on a checkpoint
        // not seen, are passed over.
        io.kshift.model.resource.Resource untouched = tables.get().config().all().stream()
                .filter(r -> r.name().equals("svc-1")).findFirst().orElseThrow();
        MeshConfig.Changed to60 = g1.apply(ScaleFixtures.service(0, 60, "127.0.0.1"));
        checkpoint(c + 5, to60.config());
        await().atMost(Duration.ofSeconds(30)).until(() -> tables.get().generation() == c + 5);
        assertThat(weights("svc-0")).containsExactly(60, 40);
        assertThat(tables.get().config().get(untouched.key())).get().isSameAs(untouched);
        delta(d4);
        MeshConfig.Changed to80 = to60.config().apply(ScaleFixtures.service(0, 80, "127.0.0.1"));
        delta(step(c + 9, to60.config(), to80));
        MeshConfig.Changed to70 = to60.config().apply(ScaleFixtures.service(0, 70, "127.0.0.1"));
        delta(step(c + 6, to60.config(), to70));
        await().atMost(Duration.ofSeconds(30)).until(() -> tables.get().generation() == c + 6);
        assertThat(applier.deltasApplied()).isEqualTo(applied + 4);
        assertThat(weights("svc-0")).containsExactly(70, 30);
        assertThat(tables.get().config().all()).containsExactlyElementsOf(to70.config().all());
    }

    private List<Integer> weights(String service) {
        List<HttpRouteEntry> routes = tables.get().mesh().routes(service + ".scale:8000");
        return routes.get(0).targets().stream().map(t -> t.weight()).toList();
    }

    static MeshSnapshot snapshot(long generation, MeshConfig config) {
        return new MeshSnapshot(Schemas.MESH_SNAPSHOT, generation, "change-" + generation, Instant.now(),
                config.all());
    }

    /** The delta of one change to {@code generation}; its base is the generation before. */
    private static SnapshotDelta step(long generation, MeshConfig before, MeshConfig.Changed next) {
        return SnapshotDelta.step(before, next.config(), next.changedKeys(), snapshot(generation, next.config()));
    }

    static void checkpoint(long generation, MeshConfig config) {
        Bus.send(MeshTopics.CONFIG, MeshTopics.MESH_KEY, EventCodec.encode(snapshot(generation, config)));
    }

    static void delta(SnapshotDelta delta) {
        Bus.send(MeshTopics.CONFIG, MeshTopics.DELTA_KEY, EventCodec.encode(delta));
    }
}
