package io.kshift.proxy.http;

import io.kshift.model.istio.LoadBalancerSettings.ConsistentHashLb;
import io.kshift.model.registry.ResolvedDestination;
import io.kshift.proxy.routing.EndpointPicker;
import io.kshift.proxy.telemetry.StatsRef;
import io.kshift.proxy.telemetry.TrafficStats;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A weighted destination of an http route: the resolved destination, its endpoints and how to pick one, its pool
 * settings (and those of its HTTP/2 pool when it follows the client's protocol), the header edits that apply when it is chosen, and live counters: requests and retries in flight
 * (the circuit breaker's) and requests sent (a statistic for the node view).
 */
record HttpTarget(ResolvedDestination destination, int weight, EndpointPicker endpoints, PoolRef pool,
                  PoolRef http2Pool, ConsistentHashLb hash, HeaderEdits requestEdits, HeaderEdits responseEdits,
                  StatsRef statsRef, AtomicInteger activeRequests, AtomicInteger activeRetries, LongAdder requests) {

    /** The circuit-breaker counters and endpoints are the destination's, shared with every route to it. */
    HttpTarget(ResolvedDestination destination, int weight, io.kshift.proxy.routing.Destinations.Shared shared,
               HeaderEdits requestEdits, HeaderEdits responseEdits, StatsRef stats,
               io.kshift.proxy.tls.UpstreamTls tls) {
        this(destination, weight, shared.endpoints(), new PoolRef(UpstreamPolicy.of(
                        clientProtocol(destination) ? destination.withHttp2(false) : destination, tls)),
                clientProtocol(destination) ? new PoolRef(UpstreamPolicy.of(destination.withHttp2(), tls)) : null,
                consistentHash(destination), requestEdits, responseEdits, stats, shared.activeRequests(),
                shared.activeRetries(), new LongAdder());
    }

    /**
     * The pool for a request that came in over {@code http2} or not: Istio's {@code useClientProtocol} sends it
     * upstream on the client's protocol (over the port's declared protocol and {@code h2UpgradePolicy}, as in
     * Istio); otherwise the destination's decides.
     */
    PoolRef pool(boolean http2) {
        return http2 && http2Pool != null ? http2Pool : pool;
    }

    private static boolean clientProtocol(ResolvedDestination d) {
        var pool = d.policy() == null ? null : d.policy().connectionPool();
        var http = pool == null ? null : pool.http();
        return http != null && Boolean.TRUE.equals(http.useClientProtocol());
    }

    /** This destination's traffic stats on the route's listener (made by the first request). */
    TrafficStats stats() {
        return statsRef.get();
    }

    /** The request key a consistent-hash load balancer hashes on, or null for the simple policies. */
    private static ConsistentHashLb consistentHash(ResolvedDestination d) {
        var policy = d.policy();
        return policy == null || policy.loadBalancer() == null ? null : policy.loadBalancer().consistentHash();
    }
}
