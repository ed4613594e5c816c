package io.kshift.model.registry;

import java.util.Map;

/**
 * A workload that serves a service: its address, its ports by service port name, its labels, its locality
 * ({@code region/zone/subzone}, Istio's WorkloadEntry {@code locality}; empty when unknown), and its load-balancing
 * weight (Istio's WorkloadEntry {@code weight}: 0 or unset is 1).
 */
public record Endpoint(String address, Map<String, Integer> ports, Map<String, String> labels, String locality,
                       int weight) {

    public Endpoint {
        locality = locality == null ? "" : locality;
        weight = weight <= 0 ? 1 : weight;
    }

    public Endpoint(String address, Map<String, Integer> ports, Map<String, String> labels, String locality) {
        this(address, ports, labels, locality, 1);
    }

    public Endpoint(String address, Map<String, Integer> ports, Map<String, String> labels) {
        this(address, ports, labels, "");
    }

    /** Kubernetes selector semantics: every selector label present with the same value. */
    public boolean matches(Map<String, String> selector) {
        return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }
}
