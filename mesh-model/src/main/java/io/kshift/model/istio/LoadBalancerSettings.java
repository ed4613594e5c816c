package io.kshift.model.istio;

/** {@code loadBalancer.simple}: how an endpoint is chosen inside a subset. */
public record LoadBalancerSettings(SimpleLb simple) {

    public enum SimpleLb {
        UNSPECIFIED, ROUND_ROBIN, RANDOM, LEAST_REQUEST, LEAST_CONN, PASSTHROUGH
    }
}
