package io.kshift.model.registry;

import java.util.Map;

/** A workload that serves a service: its address, its ports by service port name, and its labels. */
public record Endpoint(String address, Map<String, Integer> ports, Map<String, String> labels) {

    /** Kubernetes selector semantics: every selector label present with the same value. */
    public boolean matches(Map<String, String> selector) {
        return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }
}
