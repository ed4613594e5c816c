package io.kshift.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.ScaleFixtures;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.event.ProxyStatus;
import io.kshift.model.event.Schemas;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.testkit.Bus;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * With every route-table build taking 2.5 s, heartbeats still go out on their own schedule (so the fleet never
 * sees a building node as STALE), and snapshots arriving during a build are conflated: only the newest is built,
 * the skipped one is reported as superseded.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
@TestProfile(SlowBuildTest.SlowBuilds.class)
class SlowBuildTest {
    static final long HEARTBEAT_MS = 200;

    public static class SlowBuilds implements QuarkusTestProfile {
        @Override
        public Set<Class<?>> getEnabledAlternatives() {
            return Set.of(SlowRouteTableFactory.class);
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kshift.proxy.heartbeat-ms", String.valueOf(HEARTBEAT_MS),
                    "kshift.proxy.node-id", "slow-builder");
        }
    }

    @Inject
    RouteTableHolder tables;

    @Test
    void heartbeatsKeepTheirScheduleWhileASlowBuildRunsAndWaitingSnapshotsAreConflated() {
        // Other tests of this JVM may have left snapshots on the topic: start from the newest, once it runs.
        long base = new io.kshift.model.event.SnapshotLoader(io.kshift.testkit.EmbeddedKafka.bootstrapServers(),
                MeshTopics.CONFIG).latest().generation();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> tables.get().generation() >= base);
        MeshConfig config = MeshConfig.of(ScaleFixtures.services(20));
        Instant sent = Instant.now();
        SlowRouteTableFactory.STARTED.clear();
        // The first snapshot's build is under way before the next two arrive: both wait, only the newest is built.
        send(base + 1, config);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> SlowRouteTableFactory.STARTED.contains(base + 1));
        send(base + 2, config);
        send(base + 3, config);
        long last = base + 3;
        List<ProxyStatus> reports = Bus.readUntil(MeshTopics.PROXY_STATUS, records -> records.stream()
                .anyMatch(r -> r.value() != null && EventCodec.decode(r.value(), ProxyStatus.class).generation() == last))
                .stream().filter(r -> "slow-builder".equals(r.key()) && r.value() != null)
                .map(r -> EventCodec.decode(r.value(), ProxyStatus.class))
                .filter(s -> s.reportedAt().isAfter(sent)).toList();

        // Two builds of 2.5 s (the first snapshot, then the newest): the node was busy for at least 5 s.
        List<ProxyStatus> whileBuilding = reports.stream().filter(s -> s.generation() < last).toList();
        assertThat(whileBuilding).as("heartbeats during the builds").hasSizeGreaterThanOrEqualTo(15);
        for (int i = 1; i < reports.size(); i++) {
            Duration gap = Duration.between(reports.get(i - 1).reportedAt(), reports.get(i).reportedAt());
            assertThat(gap).as("gap before report %d", i).isLessThan(Duration.ofMillis(4 * HEARTBEAT_MS));
        }
        ProxyStatus done = reports.get(reports.size() - 1);
        assertThat(done.generation()).isEqualTo(last);
        assertThat(done.superseded()).as("generation %d waited behind %d and was skipped", base + 2, last)
                .isGreaterThanOrEqualTo(1);
        assertThat(done.buildMillis()).isGreaterThanOrEqualTo(SlowRouteTableFactory.MILLIS);
        assertThat(reports).extracting(ProxyStatus::generation).doesNotContain(base + 2);
        assertThat(SlowRouteTableFactory.STARTED).containsExactly(base + 1, base + 3);
    }

    private static void send(long generation, MeshConfig config) {
        Bus.send(MeshTopics.CONFIG, MeshTopics.MESH_KEY, EventCodec.encode(new MeshSnapshot(
                Schemas.MESH_SNAPSHOT, generation, "change-" + generation, Instant.now(), config.all())));
    }
}
