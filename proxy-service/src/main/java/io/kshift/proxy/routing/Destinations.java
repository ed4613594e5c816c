package io.kshift.proxy.routing;

import io.kshift.model.istio.OutlierDetection;
import io.kshift.model.registry.ResolvedDestination;
import io.kshift.proxy.telemetry.Telemetry;
import io.kshift.proxy.telemetry.TrafficStats;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Makes the per-destination state a route table needs: the upstreams, the load balancer over them and, when the
 * DestinationRule asks for it, outlier detection, plus the circuit-breaker counters. Like an Envoy cluster's, this
 * state is one per destination, shared by every route and mirror that sends to it, and carried over to the next
 * generation while the destination (its endpoints and policy) is unchanged, so a config push neither resets
 * ejections nor frees circuit-breaker slots that requests in flight still hold. Also finds each destination's
 * traffic stats in the node's catalogue, once per table build. Randomness and the clock are injected.
 */
public final class Destinations {
    /** What routes to one destination share. */
    public record Shared(EndpointPicker endpoints, AtomicInteger activeRequests, AtomicInteger activeRetries,
                         AtomicInteger openConnections) {
    }

    private final RandomGenerator random;
    private final LongSupplier nanoClock;
    private final Telemetry telemetry;
    private final Map<ResolvedDestination, Shared> previous;
    private final Map<ResolvedDestination, Shared> current = new HashMap<>();

    public Destinations(RandomGenerator random, LongSupplier nanoClock, Telemetry telemetry) {
        this(random, nanoClock, telemetry, Map.of());
    }

    /** {@code previous}: the state of the table this build replaces ({@link RouteTable#destinations()}). */
    public Destinations(RandomGenerator random, LongSupplier nanoClock, Telemetry telemetry,
                        Map<ResolvedDestination, Shared> previous) {
        this.random = random;
        this.nanoClock = nanoClock;
        this.telemetry = telemetry;
        this.previous = previous;
    }

    public synchronized Shared shared(ResolvedDestination d) {
        return current.computeIfAbsent(d, k -> previous.containsKey(k) ? previous.get(k) : fresh(k));
    }

    public EndpointPicker picker(ResolvedDestination d) {
        return shared(d).endpoints();
    }

    /** The traffic stats of a destination on a listener ({@code tcp:31400}, {@code http:31080}, {@code mesh}). */
    public TrafficStats stats(ResolvedDestination d, String listener, String protocol, boolean shadow) {
        return telemetry.stats(d, listener, protocol, shadow);
    }

    /** The state of every destination this build used: what the next build may carry over. */
    public synchronized Map<ResolvedDestination, Shared> state() {
        return Map.copyOf(current);
    }

    private Shared fresh(ResolvedDestination d) {
        List<Upstream> upstreams = d.endpoints().stream().map(Upstream::new).toList();
        OutlierDetection od = d.policy() == null ? null : d.policy().outlierDetection();
        EndpointPicker picker = new EndpointPicker(upstreams, d.loadBalancer(), random,
                od == null ? null : new OutlierDetector(upstreams, od, nanoClock));
        return new Shared(picker, new AtomicInteger(), new AtomicInteger(), new AtomicInteger());
    }
}
