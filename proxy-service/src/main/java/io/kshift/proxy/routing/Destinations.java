package io.kshift.proxy.routing;

import io.kshift.model.istio.OutlierDetection;
import io.kshift.model.registry.HostPort;
import io.kshift.model.registry.ResolvedDestination;
import io.kshift.model.resource.ResourceKey;
import io.kshift.proxy.telemetry.StatsRef;
import io.kshift.proxy.telemetry.Telemetry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Makes the per-destination state a route table needs — the upstreams, the load balancer over them and, when the
 * DestinationRule asks for it, outlier detection, plus the circuit-breaker counters — and the routes' weighted
 * pickers. Like an Envoy cluster's, destination state is one per destination, shared by every route and mirror
 * that sends to it, and carried over to the next generation by what names the destination (namespace, service,
 * subset, port; {@link ResolvedDestination.Key}), not by its endpoint list: when endpoints change, endpoints that
 * stay keep their ejections and live counts, the round-robin goes on where it was, and counters that requests in
 * flight hold are the same objects. A route's picker is carried over while its targets and weights are the same,
 * so a 95/5 split stays exact across any number of pushes. Randomness and the clock are injected.
 */
public final class Destinations {
    /** What routes to one destination share. */
    public record Shared(ResolvedDestination destination, EndpointPicker endpoints, AtomicInteger activeRequests,
                         AtomicInteger activeRetries, AtomicInteger openConnections) {
    }

    /** Identifies a route's weighted picker across builds: where the route is written and what it picks among. */
    public record PickerKey(String listener, ResourceKey source, String field, List<ResolvedDestination.Key> targets,
                            List<Integer> weights) {
    }

    /** What one build leaves for the next. */
    public record CarryOver(Map<ResolvedDestination, Shared> destinations, Map<PickerKey, WeightedPicker> pickers) {
        public static final CarryOver NONE = new CarryOver(Map.of(), Map.of());
    }

    private final RandomGenerator random;
    private final LongSupplier nanoClock;
    private final Telemetry telemetry;
    private final CarryOver previous;
    /** The previous state by destination key, made when the first changed destination needs it. */
    private Map<ResolvedDestination.Key, Shared> previousByKey;
    private Map<ResolvedDestination, Shared> current;
    private Map<PickerKey, WeightedPicker> pickers;
    private int carried;
    private int changed;
    /** The node's locality (null: none), which locality load balancing orders endpoints by. */
    private String locality;

    public Destinations(RandomGenerator random, LongSupplier nanoClock, Telemetry telemetry) {
        this(random, nanoClock, telemetry, CarryOver.NONE);
    }

    /** {@code previous}: what the build of the table being replaced left ({@link RouteTable#carryOver()}). */
    public Destinations(RandomGenerator random, LongSupplier nanoClock, Telemetry telemetry, CarryOver previous) {
        this.random = random;
        this.nanoClock = nanoClock;
        this.telemetry = telemetry;
        this.previous = previous;
        // Sized for what the last build used: a build mostly uses the same (thousands at scale), with no rehashing.
        this.current = new HashMap<>(capacityFor(previous.destinations().size()));
        this.pickers = new HashMap<>(capacityFor(previous.pickers().size()));
    }

    /** A HashMap's initial capacity for {@code entries} at its default load factor (JDK 17 lacks newHashMap). */
    public static int capacityFor(int entries) {
        return (int) (entries / 0.75f) + 1;
    }

    /** Builds for a node at {@code locality} ({@code region/zone/subzone}; null: none); set before any destination. */
    public Destinations at(String locality) {
        this.locality = locality;
        return this;
    }

    /** The state of a destination: the previous table's if unchanged, carried over if changed, else new. */
    public Shared shared(ResolvedDestination destination) {
        // One state per destination whatever protocol a route speaks to it (HTTP/2 for a GRPCRoute's backends).
        ResolvedDestination d = destination.withHttp2(false);
        // Most destinations of a build are the last build's: two lookups for them, not three.
        Shared before = previous.destinations().get(d);
        if (before != null) {
            Shared had = current.putIfAbsent(d, before);
            if (had == null) {
                carried++;
            }
            return before;
        }
        Shared s = current.get(d);
        if (s == null) {
            s = next(d, previousByKey().get(d.key()));
            current.put(d, s);
        }
        return s;
    }

    public EndpointPicker picker(ResolvedDestination d) {
        return shared(d).endpoints();
    }

    /** The weighted picker of a route: the previous table's while targets and weights are the same. */
    public WeightedPicker weighted(PickerKey key, int[] weights) {
        return pickers.computeIfAbsent(key, k -> {
            WeightedPicker before = previous.pickers().get(k);
            return before != null ? before : new WeightedPicker(weights);
        });
    }

    /**
     * Takes every destination's state and every picker of the previous table as this build's, for a build that
     * uses all of them still (a patched mesh table: {@code MeshPatch}).
     */
    public void carryAll() {
        // Layered over the previous maps rather than copied: thousands of entries, hashed again, for a few changes.
        LayeredMap<ResolvedDestination, Shared> destinations = LayeredMap.over(previous.destinations());
        destinations.putAll(current);
        current = destinations;
        carried = previous.destinations().size();
        LayeredMap<PickerKey, WeightedPicker> all = LayeredMap.over(previous.pickers());
        all.putAll(pickers);
        pickers = all;
    }

    /** Forgets a picker no route of this build uses (a patched mesh table's swapped-out route). */
    public void drop(PickerKey key) {
        pickers.remove(key);
    }

    /** Keeps a reused route's picker current, so a later build can still carry it over. */
    public void keep(PickerKey key, WeightedPicker picker) {
        pickers.put(key, picker);
    }

    /** A handle on the traffic stats of a destination on a listener ({@code tcp:31400}, {@code http:31080}, {@code mesh}). */
    public StatsRef stats(ResolvedDestination d, String listener, String protocol, boolean shadow) {
        return telemetry.ref(d, listener, protocol, shadow);
    }

    /** What this build used: what the next build may carry over (read-only views: the build is over). */
    public CarryOver state() {
        return new CarryOver(LayeredMap.readOnly(current), LayeredMap.readOnly(pickers));
    }

    /** Destinations whose state came unchanged from the previous table, and those rebuilt from a changed one. */
    public int carried() {
        return carried;
    }

    public int changed() {
        return changed;
    }

    private Map<ResolvedDestination.Key, Shared> previousByKey() {
        if (previousByKey == null) {
            previousByKey = new HashMap<>();
            previous.destinations().forEach((d, shared) -> previousByKey.putIfAbsent(d.key(), shared));
        }
        return previousByKey;
    }

    /** {@code weights} with one more slot of weight {@code lost} when it is above 0 (see the pickers' users). */
    public static int[] withLost(int[] weights, int lost) {
        if (lost <= 0) {
            return weights;
        }
        int[] out = java.util.Arrays.copyOf(weights, weights.length + 1);
        out[weights.length] = lost;
        return out;
    }

    private Shared next(ResolvedDestination d, Shared before) {
        Map<HostPort, Upstream> kept = new HashMap<>();
        if (before != null) {
            changed++;
            before.endpoints().upstreams().forEach(u -> kept.put(u.address(), u));
        }
        // An endpoint joins when it first appears under this destination's key; one that stays keeps its time.
        long now = nanoClock.getAsLong();
        List<Upstream> upstreams = d.endpoints().stream().map(a -> {
            Upstream had = kept.get(a);
            return had != null ? had : new Upstream(a, now);
        }).toList();
        OutlierDetection od = d.policy() == null ? null : d.policy().outlierDetection();
        var lb = d.policy() == null ? null : d.policy().loadBalancer();
        SlowStart slowStart = SlowStart.of(lb).orElse(null);
        LocalityLb local = LocalityLb.of(locality, d.localities(), d.priorities(),
                lb == null ? null : lb.localityLbSetting(), od != null);
        if (local != null) {
            // Nearest first: a retry or a refused connect goes on to the next endpoint in the list, so the list
            // itself runs outwards, level by level; endpoints distribute gives no share are left out, as Istio
            // leaves them out of the cluster.
            int[] order = local.order();
            List<Upstream> sorted = new java.util.ArrayList<>(upstreams.size());
            for (int i : order) {
                sorted.add(upstreams.get(i));
            }
            upstreams = List.copyOf(sorted);
            local = local.in(order);
        }
        EndpointPicker picker = new EndpointPicker(upstreams, d.loadBalancer(), random,
                od == null ? null : new OutlierDetector(upstreams, od, nanoClock),
                before == null ? 0 : before.endpoints().position(), slowStart, nanoClock, local, d.weights());
        return before == null
                ? new Shared(d, picker, new AtomicInteger(), new AtomicInteger(), new AtomicInteger())
                : new Shared(d, picker, before.activeRequests(), before.activeRetries(), before.openConnections());
    }
}
