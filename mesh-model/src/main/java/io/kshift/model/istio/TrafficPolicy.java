package io.kshift.model.istio;

import jakarta.validation.Valid;

/**
 * A DestinationRule's policy toward a host (or, per subset, overriding it field by field): how an endpoint is
 * chosen, the connection pool limits (circuit breaking), outlier detection (passive health checking), and TLS
 * to it (origination).
 */
public record TrafficPolicy(@Valid LoadBalancerSettings loadBalancer, @Valid ConnectionPoolSettings connectionPool,
                            @Valid OutlierDetection outlierDetection, ClientTlsSettings tls) {

    public TrafficPolicy(LoadBalancerSettings loadBalancer, ConnectionPoolSettings connectionPool) {
        this(loadBalancer, connectionPool, null, null);
    }

    /** This policy with every field the subset's own policy sets taken from it (Istio: subset overrides). */
    public TrafficPolicy overriddenBy(TrafficPolicy subset) {
        if (subset == null) {
            return this;
        }
        return new TrafficPolicy(subset.loadBalancer != null ? subset.loadBalancer : loadBalancer,
                subset.connectionPool != null ? subset.connectionPool : connectionPool,
                subset.outlierDetection != null ? subset.outlierDetection : outlierDetection,
                subset.tls != null ? subset.tls : tls);
    }
}
