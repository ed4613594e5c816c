package io.kshift.model.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.ScaleFixtures;
import io.kshift.model.mesh.MeshConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which services a change may resolve differently, and that the indexed registry selects as a scan would. */
class AffectedServicesTest {
    private final MeshConfig before = MeshConfig.of(ScaleFixtures.services(50));
    private final DestinationResolver beforeResolver = new DestinationResolver(before);

    private AffectedServices after(MeshConfig next) {
        return AffectedServices.between(before, beforeResolver, next, new DestinationResolver(next));
    }

    @Test
    void aRouteChangeAffectsNoService() {
        MeshConfig next = before.apply(ScaleFixtures.parse(ScaleFixtures.virtualService(3, 50))).config();
        assertThat(before.changedKeys(next)).singleElement().hasToString("VirtualService scale/svc-3");
        assertThat(after(next).any()).isFalse();
        assertThat(after(next).affects("svc-3.scale.svc.cluster.local")).isFalse();
    }

    @Test
    void aMovedWorkloadAffectsExactlyItsService() {
        MeshConfig next = before.apply(ScaleFixtures.service(3, 90, "10.0.0.3")).config();
        AffectedServices affected = after(next);
        assertThat(affected.any()).isTrue();
        assertThat(affected.hosts()).containsExactly("svc-3.scale.svc.cluster.local");
    }

    /**
     * A destination resolved by DNS (its host no Service declared) may resolve differently after any registry
     * change: the Service it names by name.namespace may have been made. A route change leaves it alone.
     */
    @Test
    void aDestinationResolvedByDnsCountsAsAffectedByAnyRegistryChange() {
        MeshConfig routeOnly = before.apply(ScaleFixtures.parse(ScaleFixtures.virtualService(3, 50))).config();
        assertThat(after(routeOnly).affects("reviews.prod")).isFalse();
        MeshConfig moved = before.apply(ScaleFixtures.service(3, 90, "10.0.0.3")).config();
        assertThat(after(moved).affects("reviews.prod")).as("resolved by DNS before").isTrue();
        assertThat(after(moved).affects("svc-9.scale.svc.cluster.local")).as("a declared, unchanged service")
                .isFalse();
    }

    @Test
    void aChangedDestinationRuleAffectsTheServiceItNames() {
        MeshConfig next = before.apply(ScaleFixtures.parse("""
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: svc-4, namespace: scale}
                spec: {host: svc-4, trafficPolicy: {loadBalancer: {simple: RANDOM}}, subsets: [{name: v1, labels: {version: v1}}]}
                """)).config();
        assertThat(after(next).hosts()).containsExactly("svc-4.scale.svc.cluster.local");
    }

    @Test
    void anyServiceEntryChangeMakesEveryServiceCount() {
        MeshConfig next = before.apply(ScaleFixtures.parse("""
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: svc-5, namespace: scale}
                spec: {hosts: [svc-5], ports: [{number: 8000, name: http, protocol: HTTP}], resolution: STATIC,
                       endpoints: [{address: 10.0.0.5}]}
                """)).config();
        assertThat(after(next).affects("svc-9.scale.svc.cluster.local")).as("a ServiceEntry can shadow any name")
                .isTrue();
    }

    @Test
    void theIndexedRegistrySelectsWhatEachSelectorMatches() {
        ServiceRegistry registry = beforeResolver.registry();
        for (int i = 0; i < 50; i++) {
            MeshService s = registry.lookup("svc-" + i, "scale").orElseThrow();
            assertThat(s.endpoints()).extracting(Endpoint::labels).containsExactly(
                    Map.of("app", "svc-" + i, "version", "v1"), Map.of("app", "svc-" + i, "version", "v2"));
        }
        assertThat(registry.lookup("svc-1", "other")).isEmpty();
    }
}
