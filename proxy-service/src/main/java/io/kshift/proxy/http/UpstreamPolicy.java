package io.kshift.proxy.http;

import io.kshift.model.istio.ConnectionPoolSettings;
import io.kshift.model.istio.TrafficPolicy;
import io.kshift.model.mesh.IstioDuration;
import io.kshift.model.registry.ResolvedDestination;
import java.time.Duration;

/**
 * A destination's connection pool (circuit breaker) settings for HTTP, with Envoy's defaults where the
 * DestinationRule is silent (effectively unlimited). Pools are shared by destinations with equal settings.
 * {@code maxConnections} bounds connections per endpoint; {@code maxPending} is the queue of requests waiting
 * for one; {@code maxRequests} the requests in flight to the destination; {@code maxRetries} its retries in flight,
 * unless a {@code retryBudget} makes that a share of its requests in flight ({@link #retryLimit});
 * {@code http2}: requests go as streams on HTTP/2 connections (one per endpoint and event loop), where the
 * connection and pending limits do not apply (unlike Envoy, which applies them to its HTTP/2 pools too; the
 * destination's {@code maxRequests} still bounds its requests in flight).
 */
record UpstreamPolicy(int maxConnections, int maxPending, int maxRequests, int maxRetries, boolean keepAlive,
                      int idleTimeoutSeconds, Duration connectTimeout,
                      io.kshift.model.istio.ConnectionPoolSettings.TcpKeepalive keepalive,
                      io.kshift.proxy.tls.UpstreamTls tls, boolean http2, TrafficPolicy.RetryBudget retryBudget) {
    static final int UNLIMITED = Integer.MAX_VALUE;
    /** Vert.x needs a real pool size; 1024 connections per endpoint is more than a node ever opens. */
    static final int DEFAULT_CONNECTIONS = 1024;

    /** {@code tls}: TLS originated toward the destination (null: plaintext); pools differ by it. */
    static UpstreamPolicy of(ResolvedDestination d, io.kshift.proxy.tls.UpstreamTls tls) {
        TrafficPolicy policy = d.policy();
        ConnectionPoolSettings pool = policy == null ? null : policy.connectionPool();
        var tcp = pool == null ? null : pool.tcp();
        var http = pool == null ? null : pool.http();
        int maxConnections = tcp == null || tcp.maxConnections() == null || tcp.maxConnections() == 0
                ? DEFAULT_CONNECTIONS : tcp.maxConnections();
        int maxPending = http == null || http.http1MaxPendingRequests() == null || http.http1MaxPendingRequests() == 0
                ? UNLIMITED : http.http1MaxPendingRequests();
        int maxRequests = http == null || http.http2MaxRequests() == null || http.http2MaxRequests() == 0
                ? UNLIMITED : http.http2MaxRequests();
        int maxRetries = http == null || http.maxRetries() == null || http.maxRetries() == 0
                ? UNLIMITED : http.maxRetries();
        boolean keepAlive = http == null || http.maxRequestsPerConnection() == null
                || http.maxRequestsPerConnection() != 1;
        int idle = http == null ? 60 : (int) Math.max(1, IstioDuration.parse(http.idleTimeout())
                .orElse(Duration.ofHours(1)).toSeconds());
        return new UpstreamPolicy(maxConnections, maxPending, maxRequests, maxRetries, keepAlive, idle,
                d.connectTimeout(), io.kshift.proxy.routing.TcpKeepalives.of(d), tls, d.http2(),
                policy == null ? null : policy.retryBudget());
    }

    /** The retries that may be in flight while {@code activeRequests} requests are (Envoy: a budget overrides). */
    int retryLimit(int activeRequests) {
        return retryBudget == null ? maxRetries : retryBudget.limit(activeRequests);
    }
}
