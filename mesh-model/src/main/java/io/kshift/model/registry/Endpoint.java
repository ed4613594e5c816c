package io.kshift.model.registry;

import java.util.Map;

/**
 * A workload that serves a service: its address, its ports by service port name, its labels, and its locality
 * ({@code region/zone/subzone}, Istio's WorkloadEntry {@code locality}; empty when unknown).
 */
public record Endpoint(String address, Map<String, Integer> ports, Map<String, String> labels, String locality) {

    public Endpoint {
        locality = locality == null ? "" : locality;
    }

    public Endpoint(String address, Map<String, Integer> ports, Map<String, String> labels) {
        this(address, ports, labels, "");
    }

    /** Kubernetes selector semantics: every selector label present with the same value. */
    public boolean matches(Map<String, String> selector) {
        return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }
}
