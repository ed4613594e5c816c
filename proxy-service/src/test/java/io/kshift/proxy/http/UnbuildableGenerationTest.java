package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kshift.model.ScaleFixtures;
import io.kshift.model.event.SnapshotDelta;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.proxy.config.RouteTableHolder;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A generation whose table build throws leaves the node on the last table it built, and the next delta is applied to
 * the config it could not build (the delta's checkpoint), not refused until the next checkpoint up to 100
 * generations later: a change that takes the troublesome resource away brings the node level again.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
@TestProfile(UnbuildableGenerationTest.FailingBuilds.class)
class UnbuildableGenerationTest {
    public static class FailingBuilds implements QuarkusTestProfile {
        @Override
        public Set<Class<?>> getEnabledAlternatives() {
            return Set.of(FailingRouteTableFactory.class);
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kshift.proxy.node-id", "failing-builder");
        }
    }

    @Inject
    RouteTableHolder tables;

    @Test
    void theDeltaAfterAnUnbuildableCheckpointIsAppliedToIt() {
        long c = SnapshotDeltaTest.runningThreeServices(tables);
        MeshConfig g1 = SnapshotDeltaTest.threeServices();

        MeshConfig unbuildable = g1.apply(ScaleFixtures.service(7, 50, "127.0.0.1")).config();
        long refused = tables.unreadable().get();
        SnapshotDeltaTest.checkpoint(c + 1, unbuildable);
        await().atMost(Duration.ofSeconds(30)).until(() -> tables.unreadable().get() == refused + 1);
        assertThat(tables.get().generation()).as("still the last table it built").isEqualTo(c);

        // The next change takes svc-7 away: a delta on checkpoint c + 1, which the node could not build.
        MeshConfig.Changed without = unbuildable.delete(ScaleFixtures.service(7, 50, "127.0.0.1"));
        SnapshotDelta d1 = SnapshotDelta.step(unbuildable, without.config(), without.changedKeys(),
                SnapshotDeltaTest.snapshot(c + 2, without.config()));
        SnapshotDeltaTest.delta(d1);
        await().atMost(Duration.ofSeconds(30)).until(() -> tables.get().generation() == c + 2);
        assertThat(tables.get().config().all()).containsExactlyElementsOf(without.config().all());
        assertThat(tables.get().mesh().routes("svc-7.scale:8000")).isNull();
        assertThat(tables.unreadable().get()).as("the delta was not refused").isEqualTo(refused + 1);
        // And the one after it, on what the node now runs.
        MeshConfig.Changed to30 = without.config().apply(ScaleFixtures.service(0, 30, "127.0.0.1"));
        SnapshotDeltaTest.delta(d1.then(SnapshotDelta.step(without.config(), to30.config(), to30.changedKeys(),
                SnapshotDeltaTest.snapshot(c + 3, to30.config()))));
        await().atMost(Duration.ofSeconds(30)).until(() -> tables.get().generation() == c + 3);
        assertThat(tables.get().mesh().routes("svc-0.scale:8000").get(0).targets())
                .extracting(t -> t.weight()).containsExactly(30, 70);
    }
}
