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
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A node applies a {@code kshift-delta} header that follows the generation it runs instead of decoding the
 * snapshot, and decodes the snapshot whenever the header does not fit: another base, a count that does not add up,
 * or no header at all. The snapshot in the record's value is the truth; the headers here are made to disagree with
 * it wherever the node must not use them, so the table shows which one was read.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class SnapshotDeltaTest {
    @Inject
    RouteTableHolder tables;
    @Inject
    SnapshotApplier applier;

    @Test
    void aFittingDeltaIsAppliedAndAnyOtherRecordIsDecodedWhole() {
        long base = new io.kshift.model.event.SnapshotLoader(EmbeddedKafka.bootstrapServers(), MeshTopics.CONFIG)
                .latest().generation();
        await().atMost(Duration.ofSeconds(30)).until(() -> tables.get().generation() >= base);
        MeshConfig g1 = MeshConfig.of(ScaleFixtures.services(3));
        send(base + 1, g1, null);
        await().atMost(Duration.ofSeconds(30)).until(() -> tables.get().generation() == base + 1);

        // svc-0 goes 30/70 in the delta and the snapshot alike: applied from the header.
        MeshConfig.Changed to30 = g1.apply(ScaleFixtures.service(0, 30, "127.0.0.1"));
        long applied = applier.deltasApplied();
        send(base + 2, to30.config(), SnapshotDelta.between(base + 1, g1, to30.config(), to30.changedKeys()));
        await().atMost(Duration.ofSeconds(30)).until(() -> tables.get().generation() == base + 2);
        assertThat(applier.deltasApplied()).isEqualTo(applied + 1);
        assertThat(weights("svc-0")).containsExactly(30, 70);
        assertThat(tables.get().config().all()).containsExactlyElementsOf(to30.config().all());

        // The header says 50/50 but claims a count the result cannot have: the snapshot (40/60) is used.
        MeshConfig.Changed to40 = to30.config().apply(ScaleFixtures.service(0, 40, "127.0.0.1"));
        MeshConfig.Changed to50 = to30.config().apply(ScaleFixtures.service(0, 50, "127.0.0.1"));
        SnapshotDelta lying = SnapshotDelta.between(base + 2, to30.config(), to50.config(), to50.changedKeys());
        send(base + 3, to40.config(), new SnapshotDelta(lying.base(), lying.generation(), lying.resources() + 1,
                lying.upserts(), lying.deletes()));
        await().atMost(Duration.ofSeconds(30)).until(() -> tables.get().generation() == base + 3);
        assertThat(weights("svc-0")).containsExactly(40, 60);

        // A header for another base (the node runs base + 3): the snapshot (60/40) is used.
        MeshConfig.Changed to60 = to40.config().apply(ScaleFixtures.service(0, 60, "127.0.0.1"));
        send(base + 4, to60.config(), SnapshotDelta.between(base + 1, g1, to50.config(), to50.changedKeys()));
        await().atMost(Duration.ofSeconds(30)).until(() -> tables.get().generation() == base + 4);
        assertThat(weights("svc-0")).containsExactly(60, 40);

        // An unreadable header: the snapshot again, and the delta path still works afterwards.
        MeshConfig.Changed to70 = to60.config().apply(ScaleFixtures.service(0, 70, "127.0.0.1"));
        Bus.send(MeshTopics.CONFIG, MeshTopics.MESH_KEY, snapshot(base + 5, to70.config()),
                Map.of(SnapshotDelta.HEADER, "{\"base\":"));
        await().atMost(Duration.ofSeconds(30)).until(() -> tables.get().generation() == base + 5);
        assertThat(weights("svc-0")).containsExactly(70, 30);
        MeshConfig.Changed deleted = to70.config().delete(ScaleFixtures.service(2, 90, "127.0.0.1"));
        send(base + 6, deleted.config(), SnapshotDelta.between(base + 5, to70.config(), deleted.config(),
                deleted.changedKeys()));
        await().atMost(Duration.ofSeconds(30)).until(() -> tables.get().generation() == base + 6);
        assertThat(applier.deltasApplied()).isEqualTo(applied + 2);
        assertThat(tables.get().config().all()).containsExactlyElementsOf(deleted.config().all());
        assertThat(tables.get().mesh().routes("svc-2.scale:8000")).isNull();
    }

    private List<Integer> weights(String service) {
        List<HttpRouteEntry> routes = tables.get().mesh().routes(service + ".scale:8000");
        return routes.get(0).targets().stream().map(t -> t.weight()).toList();
    }

    private static String snapshot(long generation, MeshConfig config) {
        return EventCodec.encode(new MeshSnapshot(Schemas.MESH_SNAPSHOT, generation, "change-" + generation,
                Instant.now(), config.all()));
    }

    private static void send(long generation, MeshConfig config, SnapshotDelta delta) {
        Bus.send(MeshTopics.CONFIG, MeshTopics.MESH_KEY, snapshot(generation, config),
                delta == null ? Map.of() : Map.of(SnapshotDelta.HEADER, EventCodec.encode(delta)));
    }
}
