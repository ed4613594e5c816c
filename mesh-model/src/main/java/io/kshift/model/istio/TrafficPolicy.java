package io.kshift.model.istio;

import jakarta.validation.Valid;

/**
 * A DestinationRule's policy toward a host (or, per subset, overriding it field by field): how an endpoint is
 * chosen, the connection pool limits (circuit breaking), outlier detection (passive health checking), and TLS
 * to it (origination).
 */
public record TrafficPolicy(@Valid LoadBalancerSettings loadBalancer, @Valid ConnectionPoolSettings connectionPool,
                            @Valid OutlierDetection outlierDetection, ClientTlsSettings tls,
                            java.util.List<@Valid PortTrafficPolicy> portLevelSettings) {

    public TrafficPolicy {
        portLevelSettings = io.kshift.model.Lists.copy(portLevelSettings);
    }

    public TrafficPolicy(LoadBalancerSettings loadBalancer, ConnectionPoolSettings connectionPool) {
        this(loadBalancer, connectionPool, null, null, null);
    }

    /**
     * The policy toward one port: its {@code portLevelSettings} entry, when there is one, replaces the load balancer,
     * connection pool, outlier detection and tls together — a field the entry leaves out takes its default, not
     * this policy's (Istio: "port level policies do not inherit"); no port-level settings are left in the result.
     */
    public TrafficPolicy forPort(int port) {
        PortTrafficPolicy p = portLevelSettings.stream().filter(s -> s.port() != null && s.port().number() != null
                && s.port().number() == port).findFirst().orElse(null);
        if (p == null) {
            return portLevelSettings.isEmpty() ? this
                    : new TrafficPolicy(loadBalancer, connectionPool, outlierDetection, tls, null);
        }
        return new TrafficPolicy(p.loadBalancer(), p.connectionPool(), p.outlierDetection(), p.tls(), null);
    }

    /** Whether this policy has an entry for {@code port} in its {@code portLevelSettings}. */
    public boolean hasPort(int port) {
        return portLevelSettings.stream().anyMatch(s -> s.port() != null && s.port().number() != null
                && s.port().number() == port);
    }

    /** This policy with {@code tls} instead of its own. */
    public TrafficPolicy withTls(ClientTlsSettings tls) {
        return new TrafficPolicy(loadBalancer, connectionPool, outlierDetection, tls, portLevelSettings);
    }

    /** This policy with every field the subset's own policy sets taken from it (Istio: subset overrides). */
    public TrafficPolicy overriddenBy(TrafficPolicy subset) {
        if (subset == null) {
            return this;
        }
        return new TrafficPolicy(subset.loadBalancer != null ? subset.loadBalancer : loadBalancer,
                subset.connectionPool != null ? subset.connectionPool : connectionPool,
                subset.outlierDetection != null ? subset.outlierDetection : outlierDetection,
                subset.tls != null ? subset.tls : tls, null);
    }
}
