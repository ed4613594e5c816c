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
                      io.kshift.proxy.tls.UpstreamTls tls, boolean http2, TrafficPolicy.RetryBudget retryBudget,
                      long maxAgeMillis) {
    static final int UNLIMITED = Integer.MAX_VALUE;
    /** No {@code maxConnections}: no limit, as Istio's default circuit breaker (an explicit 1024 is a limit). */
    static final int DEFAULT_CONNECTIONS = UNLIMITED;
    /**
     * How long an upstream connection may sit idle when neither {@code http.idleTimeout} nor {@code tcp.idleTimeout}
     * says: a minute, where Envoy keeps one an hour. Backends close idle keep-alive connections after seconds to
     * minutes, and a request sent on one they just closed fails (Istio's 503 UC).
     */
    static final int DEFAULT_IDLE_SECONDS = 60;

    UpstreamPolicy(int maxConnections, int maxPending, int maxRequests, int maxRetries, boolean keepAlive,
                   int idleTimeoutSeconds, Duration connectTimeout,
                   io.kshift.model.istio.ConnectionPoolSettings.TcpKeepalive keepalive,
                   io.kshift.proxy.tls.UpstreamTls tls, boolean http2, TrafficPolicy.RetryBudget retryBudget) {
        this(maxConnections, maxPending, maxRequests, maxRetries, keepAlive, idleTimeoutSeconds, connectTimeout,
                keepalive, tls, http2, retryBudget, 0);
    }

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
        // Istio: http.idleTimeout, else tcp.idleTimeout (0: none, as Envoy reads 0).
        String idleText = http != null && http.idleTimeout() != null ? http.idleTimeout()
                : tcp != null ? tcp.idleTimeout() : null;
        int idle = IstioDuration.parse(idleText).map(t -> t.isZero() ? 0 : (int) Math.max(1, t.toSeconds()))
                .orElse(DEFAULT_IDLE_SECONDS);
        // tcp.maxConnectionDuration holds for HTTP/1.1 connections too (Istio sets Envoy's max_connection_duration).
        long maxAge = tcp == null ? 0 : IstioDuration.parse(tcp.maxConnectionDuration()).map(Duration::toMillis)
                .orElse(0L);
        return new UpstreamPolicy(maxConnections, maxPending, maxRequests, maxRetries, keepAlive, idle,
                d.connectTimeout(), io.kshift.proxy.routing.TcpKeepalives.of(d), tls, d.http2(),
                policy == null ? null : policy.retryBudget(), maxAge);
    }

    /** The retries that may be in flight while {@code activeRequests} requests are (Envoy: a budget overrides). */
    int retryLimit(int activeRequests) {
        return retryBudget == null ? maxRetries : retryBudget.limit(activeRequests);
    }
}
