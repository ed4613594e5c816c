package io.kshift.model.registry;

import io.kshift.model.istio.LoadBalancerSettings.SimpleLb;
import io.kshift.model.istio.TrafficPolicy;
import java.time.Duration;
import java.util.List;

/**
 * A route destination made concrete: the service and subset it names, its endpoints, the version they run
 * (their {@code version} label, for telemetry and demo output) and the DestinationRule policy toward them
 * ({@code policy}: the rule's, overridden by the subset's; null without a rule), with the TCP parts read out;
 * {@code namespace}: the service's (telemetry keys by it), or the referring resource's for a DNS host;
 * {@code port}: the service port the destination names; {@code idleTimeout}: {@code connectionPool.tcp.idleTimeout}
 * (Istio's default one hour; zero means none); {@code tlsCredential}: the Secret the policy's {@code tls} names
 * (in the DestinationRule's namespace), or null; {@code http2}: requests go to the endpoints over HTTP/2 (the port is
 * declared gRPC or HTTP/2, the policy's {@code h2UpgradePolicy} is {@code UPGRADE}, or a GRPCRoute names it);
 * {@code backendTls}: the TLS a BackendTLSPolicy asks for toward the port, unless the DestinationRule's {@code tls}
 * originates TLS itself (null then, and without such a policy).
 */
public record ResolvedDestination(String service, String subset, String version, List<HostPort> endpoints,
                                  SimpleLb loadBalancer, Duration connectTimeout, Duration maxConnectionDuration,
                                  TrafficPolicy policy, String namespace, int port, Duration idleTimeout,
                                  io.kshift.model.resource.ResourceKey tlsCredential, boolean http2,
                                  BackendTls backendTls, List<String> localities, List<Integer> priorities,
                                  List<Integer> weights) {

    /**
     * {@code localities}: each endpoint's, in the order of {@code endpoints} ("" where unknown); {@code priorities}:
     * each endpoint's {@link FailoverPriority} as the node that resolved it sees it, empty without a
     * {@code failoverPriority} (or for no node in particular); {@code weights}: each endpoint's load-balancing
     * weight, empty when they are all the same.
     */
    public ResolvedDestination {
        if (weights == null || weights.stream().distinct().count() <= 1) {
            weights = List.of();
        } else if (weights.size() != endpoints.size()) {
            throw new IllegalArgumentException(weights.size() + " weights for " + endpoints.size() + " endpoints");
        } else {
            weights = List.copyOf(weights);
        }
        if (priorities == null || priorities.isEmpty()) {
            priorities = List.of();
        } else if (priorities.size() != endpoints.size()) {
            throw new IllegalArgumentException(priorities.size() + " priorities for " + endpoints.size()
                    + " endpoints");
        } else {
            priorities = List.copyOf(priorities);
        }
        if (localities == null || localities.stream().allMatch(String::isEmpty)) {
            // Most destinations know no locality: one shared list, not a copy per destination.
            localities = java.util.Collections.nCopies(endpoints.size(), "");
        } else if (localities.size() != endpoints.size()) {
            throw new IllegalArgumentException(localities.size() + " localities for " + endpoints.size()
                    + " endpoints");
        } else {
            localities = List.copyOf(localities);
        }
    }

    public ResolvedDestination(String service, String subset, String version, List<HostPort> endpoints,
                               SimpleLb loadBalancer, Duration connectTimeout, Duration maxConnectionDuration,
                               TrafficPolicy policy, String namespace, int port, Duration idleTimeout,
                               io.kshift.model.resource.ResourceKey tlsCredential, boolean http2,
                               BackendTls backendTls) {
        this(service, subset, version, endpoints, loadBalancer, connectTimeout, maxConnectionDuration, policy,
                namespace, port, idleTimeout, tlsCredential, http2, backendTls, null, null);
    }

    /** With every endpoint of the same weight. */
    public ResolvedDestination(String service, String subset, String version, List<HostPort> endpoints,
                               SimpleLb loadBalancer, Duration connectTimeout, Duration maxConnectionDuration,
                               TrafficPolicy policy, String namespace, int port, Duration idleTimeout,
                               io.kshift.model.resource.ResourceKey tlsCredential, boolean http2,
                               BackendTls backendTls, List<String> localities, List<Integer> priorities) {
        this(service, subset, version, endpoints, loadBalancer, connectTimeout, maxConnectionDuration, policy,
                namespace, port, idleTimeout, tlsCredential, http2, backendTls, localities, priorities, null);
    }

    /** This destination spoken to over HTTP/2 (a GRPCRoute's backend: gRPC is HTTP/2). */
    public ResolvedDestination withHttp2() {
        return withHttp2(true);
    }

    /**
     * This destination spoken to over HTTP/2 or not. The protocol is how a proxy speaks to the endpoints, not
     * another destination: per-destination state (endpoints, ejections, circuit-breaker counts) is keyed by the
     * {@code false} form, shared by routes that reach the service over either.
     */
    public ResolvedDestination withHttp2(boolean on) {
        return http2 == on ? this : new ResolvedDestination(service, subset, version, endpoints, loadBalancer,
                connectTimeout, maxConnectionDuration, policy, namespace, port, idleTimeout, tlsCredential, on,
                backendTls, localities, priorities, weights);
    }

    /**
     * What stays the same while a destination's endpoints or policy change: namespace, service, subset and service
     * port. Per-destination state (ejections, picker positions, circuit-breaker counts) is carried over by it.
     */
    public record Key(String namespace, String service, String subset, int port) {
    }

    /**
     * Hashed by what names the destination, not by its endpoint list and policy: proxies look destinations up
     * in maps on every table build (thousands at scale), and the record's own hash walked every endpoint and
     * policy field each time. Equal destinations still hash alike.
     */
    @Override
    public int hashCode() {
        int h = java.util.Objects.hashCode(service);
        h = 31 * h + java.util.Objects.hashCode(subset);
        h = 31 * h + java.util.Objects.hashCode(namespace);
        h = 31 * h + port;
        return 31 * h + (http2 ? 1 : 0);
    }

    public Key key() {
        return new Key(namespace, service, subset, port);
    }
}
