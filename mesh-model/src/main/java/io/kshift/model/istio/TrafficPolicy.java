package io.kshift.model.istio;

import jakarta.validation.Valid;

/**
 * A DestinationRule's policy toward a host (or, per subset, overriding it field by field): how an endpoint is
 * chosen, the connection pool limits (circuit breaking), outlier detection (passive health checking), TLS
 * to it (origination), the retry budget (retries in flight as a share of requests in flight), a tunnel (TCP
 * carried through an HTTP CONNECT proxy) and the PROXY protocol, which a port's settings do not replace: Istio has them for the whole
 * destination.
 */
public record TrafficPolicy(@Valid LoadBalancerSettings loadBalancer, @Valid ConnectionPoolSettings connectionPool,
                            @Valid OutlierDetection outlierDetection, ClientTlsSettings tls,
                            java.util.List<@Valid PortTrafficPolicy> portLevelSettings,
                            @Valid RetryBudget retryBudget, @Valid TunnelSettings tunnel,
                            @Valid ProxyProtocol proxyProtocol) {

    public TrafficPolicy {
        portLevelSettings = io.kshift.model.Lists.copy(portLevelSettings);
    }

    public TrafficPolicy(LoadBalancerSettings loadBalancer, ConnectionPoolSettings connectionPool) {
        this(loadBalancer, connectionPool, null, null, null, null, null, null);
    }

    /**
     * Istio's {@code proxyProtocol}: a TCP or TLS route's connections to the destination start with a PROXY protocol
     * header ({@code V1} text or {@code V2} binary, the default V1) saying the client's address and the one it
     * connected to.
     */
    public record ProxyProtocol(Version version) {
        public enum Version { V1, V2 }

        public int number() {
            return version == Version.V2 ? 2 : 1;
        }
    }

    /**
     * Istio's tunnel (Envoy's TCP tunnelling): a TCP or TLS route's connection to the destination's endpoints (an
     * HTTP proxy) asks, by HTTP/1.1 {@code CONNECT}, for {@code targetHost:targetPort}, and carries the client's bytes
     * through once the proxy answers 2xx. HTTP routes do not tunnel (Istio: "can't be applied to HTTP routes").
     */
    public record TunnelSettings(String protocol,
                                 @jakarta.validation.constraints.NotBlank(message = "is required") String targetHost,
                                 @jakarta.validation.constraints.NotNull(message = "is required")
                                 @io.kshift.model.constraint.PortNumber Integer targetPort) {
        /** What the CONNECT asks for: {@code host:port}, an IPv6 address in brackets. */
        public String authority() {
            return (targetHost.contains(":") ? "[" + targetHost + "]" : targetHost) + ":" + targetPort;
        }
    }

    /**
     * Envoy's retry budget: retries in flight to the destination may be {@code percent} (default 20) of its requests
     * in flight (pending ones included), and never fewer than {@code minRetryConcurrency} (default 3). It replaces
     * {@code connectionPool.http.maxRetries}.
     */
    public record RetryBudget(
            @jakarta.validation.constraints.DecimalMin(value = "0", message = "must be between 0 and 100")
            @jakarta.validation.constraints.DecimalMax(value = "100", message = "must be between 0 and 100")
            Double percent,
            @jakarta.validation.constraints.PositiveOrZero(message = "must not be negative")
            Integer minRetryConcurrency) {

        /** The retries that may be in flight while {@code activeRequests} requests are. */
        public int limit(int activeRequests) {
            double share = (percent == null ? 20.0 : percent) / 100.0;
            int floor = minRetryConcurrency == null ? 3 : minRetryConcurrency;
            return (int) Math.max(floor, Math.floor(share * activeRequests));
        }
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
                    : new TrafficPolicy(loadBalancer, connectionPool, outlierDetection, tls, null, retryBudget,
                    tunnel, proxyProtocol);
        }
        return new TrafficPolicy(p.loadBalancer(), p.connectionPool(), p.outlierDetection(), p.tls(), null,
                retryBudget, tunnel, proxyProtocol);
    }

    /** Whether this policy has an entry for {@code port} in its {@code portLevelSettings}. */
    public boolean hasPort(int port) {
        return portLevelSettings.stream().anyMatch(s -> s.port() != null && s.port().number() != null
                && s.port().number() == port);
    }

    /**
     * This policy with the destination-wide settings ({@code retryBudget}, {@code tunnel}, {@code proxyProtocol}) it
     * leaves out taken from {@code host}'s: a subset's policy for a port replaces the host's port settings, not those
     * (Istio's merge copies them from the host and lets only a subset's own override them).
     */
    public TrafficPolicy withDestinationWideFrom(TrafficPolicy host) {
        boolean keep = host == null || (retryBudget != null || host.retryBudget == null)
                && (tunnel != null || host.tunnel == null) && (proxyProtocol != null || host.proxyProtocol == null);
        if (keep) {
            return this;
        }
        return new TrafficPolicy(loadBalancer, connectionPool, outlierDetection, tls, portLevelSettings,
                retryBudget != null ? retryBudget : host.retryBudget, tunnel != null ? tunnel : host.tunnel,
                proxyProtocol != null ? proxyProtocol : host.proxyProtocol);
    }

    /** This policy with {@code tls} instead of its own. */
    public TrafficPolicy withTls(ClientTlsSettings tls) {
        return new TrafficPolicy(loadBalancer, connectionPool, outlierDetection, tls, portLevelSettings, retryBudget,
                tunnel, proxyProtocol);
    }

    /** This policy with every field the subset's own policy sets taken from it (Istio: subset overrides). */
    public TrafficPolicy overriddenBy(TrafficPolicy subset) {
        if (subset == null) {
            return this;
        }
        return new TrafficPolicy(subset.loadBalancer != null ? subset.loadBalancer : loadBalancer,
                subset.connectionPool != null ? subset.connectionPool : connectionPool,
                subset.outlierDetection != null ? subset.outlierDetection : outlierDetection,
                subset.tls != null ? subset.tls : tls, null,
                subset.retryBudget != null ? subset.retryBudget : retryBudget,
                subset.tunnel != null ? subset.tunnel : tunnel,
                subset.proxyProtocol != null ? subset.proxyProtocol : proxyProtocol);
    }
}
