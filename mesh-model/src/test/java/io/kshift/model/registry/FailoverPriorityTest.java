package io.kshift.model.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Istio's failoverPriority: priorities by the first label that differs, topology labels read off localities. */
class FailoverPriorityTest {
    private static Endpoint at(String network, String locality) {
        return new Endpoint("10.0.0.1", Map.of(), Map.of("topology.istio.io/network", network), locality);
    }

    private static final List<Endpoint> ENDPOINTS = List.of(at("n1", "us-east/a"), at("n1", "us-east/b"),
            at("n1", "us-west/c"), at("n2", "us-east/a"));

    @Test
    void anEndpointRanksByHowManyLabelsInOrderMatchTheNodes() {
        List<String> entries = List.of("topology.istio.io/network", "topology.kubernetes.io/region",
                "topology.kubernetes.io/zone");
        // A label counts only while every one before it matches: n2 in the node's own zone is still last.
        assertThat(FailoverPriority.of(entries, Map.of("topology.istio.io/network", "n1"), "us-east/a", ENDPOINTS))
                .containsExactly(0, 1, 2, 3);
        assertThat(FailoverPriority.of(List.of("topology.kubernetes.io/zone"), Map.of(), "us-east/a", ENDPOINTS))
                .as("topology labels from the localities").containsExactly(0, 1, 1, 0);
        assertThat(FailoverPriority.of(List.of("absent"), Map.of(), null, ENDPOINTS)).as("missing on both: a match")
                .containsExactly(0, 0, 0, 0);
    }

    @Test
    void anEntryWithAValueComparesTheEndpointWithThatValue() {
        assertThat(FailoverPriority.of(List.of("topology.istio.io/network=n2"), Map.of("topology.istio.io/network",
                "n1"), null, ENDPOINTS)).containsExactly(1, 1, 1, 0);
    }
}
