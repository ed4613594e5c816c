package io.kshift.proxy.routing;

import io.kshift.model.istio.LoadBalancerSettings.SimpleLb;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * Chooses an endpoint inside a destination as its DestinationRule says (ROUND_ROBIN, RANDOM, LEAST_REQUEST as
 * power of two choices over live connections or requests, or a consistent hash of a request key), skipping
 * endpoints outlier detection has ejected (all of them ejected, or fewer than {@code minHealthPercent} left: all are
 * candidates, as Envoy's panic mode), and
 * orders the rest after it so a refused connect or a retry tries the next. With a {@link SlowStart}, ROUND_ROBIN and
 * LEAST_REQUEST weigh endpoints still in their warm-up window by it (a weighted round-robin; the two choices compared
 * by requests per weight); once every endpoint's window is over, picks cost what they did without it.
 */
public final class EndpointPicker {
    private final List<Upstream> upstreams;
    private final SimpleLb policy;
    private final RandomGenerator random;
    private final OutlierDetector outliers;
    private final AtomicInteger next = new AtomicInteger();
    /** Where retries that move to another locality level start in it, in turn (not the round-robin's position). */
    private final AtomicInteger spread = new AtomicInteger();
    /** Locality load balancing's levels and shares (null: none). */
    private final LocalPicker local;
    private final SlowStart slowStart;
    private final java.util.function.LongSupplier clock;
    /** When the last endpoint's warm-up window ends (the clock's nanos). */
    private final long slowUntil;
    /** Every window is over: picks no longer read the clock (set once, racily and harmlessly, by any loop). */
    private boolean warm;
    /** The endpoints' own weights and their running sums (null: all the same). */
    private final double[] weights;
    private final double[] weightSums;
    /** While some endpoint warms up: the weights' running sums, made at most every {@link #REWEIGH_NANOS}. */
    private volatile double[] sums;
    private volatile long weighedAt;
    static final long REWEIGH_NANOS = 100_000_000L;

    public EndpointPicker(List<Upstream> upstreams, SimpleLb policy, RandomGenerator random) {
        this(upstreams, policy, random, null);
    }

    public EndpointPicker(List<Upstream> upstreams, SimpleLb policy, RandomGenerator random, OutlierDetector outliers) {
        this(upstreams, policy, random, outliers, 0);
    }

    /** {@code position}: where round-robin goes on from (the previous picker's, when endpoints change). */
    public EndpointPicker(List<Upstream> upstreams, SimpleLb policy, RandomGenerator random, OutlierDetector outliers,
                          int position) {
        this(upstreams, policy, random, outliers, position, null, System::nanoTime);
    }

    /** {@code slowStart}: the destination's warm-up (null: none; RANDOM takes none, as Envoy's random balancer). */
    public EndpointPicker(List<Upstream> upstreams, SimpleLb policy, RandomGenerator random, OutlierDetector outliers,
                          int position, SlowStart slowStart, java.util.function.LongSupplier clock) {
        this(upstreams, policy, random, outliers, position, slowStart, clock, null);
    }

    /**
     * {@code locality}: this node's locality levels and shares for the endpoints (null: none), which take precedence
     * over a warm-up (kshift applies one or the other).
     */
    public EndpointPicker(List<Upstream> upstreams, SimpleLb policy, RandomGenerator random, OutlierDetector outliers,
                          int position, SlowStart slowStart, java.util.function.LongSupplier clock,
                          LocalityLb locality) {
        this(upstreams, policy, random, outliers, position, slowStart, clock, locality, List.of());
    }

    /**
     * {@code weights}: each endpoint's load-balancing weight (WorkloadEntry {@code weight}), empty when they are all
     * the same. ROUND_ROBIN and RANDOM pick in proportion to them, LEAST_REQUEST draws its two candidates so; a
     * warm-up scales them. Under locality load balancing the levels' shares decide instead.
     */
    public EndpointPicker(List<Upstream> upstreams, SimpleLb policy, RandomGenerator random, OutlierDetector outliers,
                          int position, SlowStart slowStart, java.util.function.LongSupplier clock,
                          LocalityLb locality, List<Integer> weights) {
        this.weights = weights.isEmpty() || locality != null ? null
                : weights.stream().mapToDouble(Integer::doubleValue).toArray();
        this.weightSums = this.weights == null ? null : WeightedSums.cumulative(this.weights);
        this.local = locality == null ? null : new LocalPicker(locality);
        this.upstreams = List.copyOf(upstreams);
        this.slowStart = policy == SimpleLb.RANDOM || policy == SimpleLb.PASSTHROUGH ? null : slowStart;
        this.clock = clock;
        long until = Long.MIN_VALUE;
        long first = Long.MAX_VALUE;
        for (Upstream u : this.upstreams) {
            until = Math.max(until, u.joinedAt());
            first = Math.min(first, u.joinedAt());
        }
        // Endpoints that all joined together weigh the same all along: picks go as without slow start.
        this.slowUntil = this.slowStart == null || first == until ? Long.MIN_VALUE
                : until + this.slowStart.windowNanos();
        this.policy = policy;
        this.random = random;
        this.outliers = outliers;
        this.next.set(position);
    }

    /** How far round-robin has gone (to carry over to a picker over changed endpoints). */
    int position() {
        return next.get();
    }

    public List<Upstream> upstreams() {
        return upstreams;
    }

    /** Outlier detection for this destination, or null when its DestinationRule sets none. */
    public OutlierDetector outliers() {
        return outliers;
    }

    /** The index to try first; callers walk on from it, wrapping, on failure. */
    public int first() {
        int n = upstreams.size();
        if (n == 1) {
            return 0;
        }
        if (local != null) {
            return local();
        }
        int chosen = pick();
        return outliers == null || healthy(upstreams.get(chosen)) ? chosen : healthyPick(chosen);
    }

    /** A pick by the destination's policy, ejected endpoints included. */
    private int pick() {
        int n = upstreams.size();
        if (slowUntil != Long.MIN_VALUE && !warm) {
            long now = clock.getAsLong();
            if (now - slowUntil < 0) {
                return warming(now);
            }
            warm = true;
        }
        if (weights != null) {
            return weighted();
        }
        return switch (policy) {
            case RANDOM -> random.nextInt(n);
            case LEAST_REQUEST, LEAST_CONN -> {
                int a = random.nextInt(n);
                int b = random.nextInt(n - 1);
                b = b >= a ? b + 1 : b;
                yield upstreams.get(b).active() < upstreams.get(a).active() ? b : a;
            }
            default -> Math.floorMod(next.getAndIncrement(), n);
        };
    }

    /**
     * The pick made again until it lands on an endpoint in service, as Envoy picks among healthy hosts only: round
     * robin moves on past an ejected endpoint and the draws are drawn again, so the ejected one's share is spread over
     * the rest by the policy rather than handed to the endpoint after it (which then took a double share, and under
     * LEAST_REQUEST nearly all of it, as an ejected endpoint holds no requests and wins every comparison).
     */
    private int healthyPick(int chosen) {
        for (int tries = 4 * upstreams.size(); tries > 0; tries--) {
            int again = pick();
            if (healthy(upstreams.get(again))) {
                return again;
            }
        }
        return healthyFrom(chosen); // in service but rarely drawn (a small weight): the next one in order
    }

    /**
     * A pick under locality load balancing: a level by Envoy's priority loads ({@link LocalPicker}), then an endpoint
     * of it by the destination's policy, weighed by the shares {@code distribute} gives; a healthy one of the same
     * level first.
     */
    private int local() {
        int[] in = local.members(local.level(upstreams, outliers, this, clock));
        if (in.length == 0) {
            return healthyFrom(0);
        }
        double[] sums = local.shareSums();
        int at = switch (policy) {
            case RANDOM -> sums == null ? random.nextInt(in.length)
                    : WeightedSums.find(random.nextDouble() * sums[sums.length - 1], sums);
            case LEAST_REQUEST, LEAST_CONN -> {
                int a = random.nextInt(in.length);
                if (in.length == 1) {
                    yield a;
                }
                int b = random.nextInt(in.length - 1);
                b = b >= a ? b + 1 : b;
                // Fewer requests per share wins: a locality given four times the share takes four times the load.
                yield (upstreams.get(in[b]).active() + 1) / local.share(in[b])
                        < (upstreams.get(in[a]).active() + 1) / local.share(in[a]) ? b : a;
            }
            default -> sums != null ? WeightedSums.pick(next.getAndIncrement(), sums)
                    : Math.floorMod(next.getAndIncrement(), in.length);
        };
        for (int k = 0; k < in.length; k++) {
            int index = in[(at + k) % in.length];
            if (healthy(upstreams.get(index))) {
                return index;
            }
        }
        return healthyFrom(in[at]);
    }

    /** A pick by the endpoints' own weights. */
    private int weighted() {
        return switch (policy) {
            case RANDOM -> drawn();
            case LEAST_REQUEST, LEAST_CONN -> {
                // Two candidates drawn by weight, the less loaded taken: shares follow the weights while idle (a
                // comparison of requests per weight sent a weight-10 endpoint nothing until its weight-90 peer
                // had 9 in flight) and load still steers, as Envoy's weighted least-request.
                int a = drawn();
                int b = drawn();
                yield upstreams.get(b).active() < upstreams.get(a).active() ? b : a;
            }
            default -> WeightedSums.pick(next.getAndIncrement(), weightSums);
        };
    }

    /** An endpoint drawn at random in proportion to its own weight. */
    private int drawn() {
        return WeightedSums.find(random.nextDouble() * weightSums[weightSums.length - 1], weightSums);
    }

    /** A pick while some endpoint is warming up: its weight scales its share (LEAST_REQUEST: its requests). */
    private int warming(long now) {
        int n = upstreams.size();
        if (policy == SimpleLb.LEAST_REQUEST || policy == SimpleLb.LEAST_CONN) {
            int a;
            int b;
            if (weights == null) {
                a = random.nextInt(n);
                b = random.nextInt(n - 1);
                b = b >= a ? b + 1 : b;
            } else {
                a = drawn(); // the endpoints' own weights choose the candidates, the warm-up compares them
                b = drawn();
            }
            Upstream ua = upstreams.get(a);
            Upstream ub = upstreams.get(b);
            return (ub.active() + 1) / slowStart.weight(now - ub.joinedAt())
                    < (ua.active() + 1) / slowStart.weight(now - ua.joinedAt()) ? b : a;
        }
        double[] s = sums;
        if (s == null || now - weighedAt > REWEIGH_NANOS) {
            // Weights move slowly (a window is seconds at least): made again a tenth of a second later, not per pick.
            double[] scaled = new double[n];
            for (int i = 0; i < n; i++) {
                scaled[i] = slowStart.weight(now - upstreams.get(i).joinedAt()) * own(i);
            }
            s = WeightedSums.cumulative(scaled);
            sums = s;
            weighedAt = now;
        }
        return WeightedSums.pick(next.getAndIncrement(), s);
    }

    /** Endpoint {@code i}'s own weight (1 when all are the same). */
    private double own(int i) {
        return weights == null ? 1 : weights[i];
    }

    /**
     * Consistent hashing (rendezvous: the endpoint with the highest hash of key and address), so a key keeps its
     * endpoint while the endpoint set stays, and only the keys of a removed endpoint move.
     */
    public int firstFor(String key) {
        int best = 0;
        long bestScore = Long.MIN_VALUE;
        Boolean anyHealthy = null; // counted once, and only when an endpoint is out
        // Under locality load balancing, as Envoy's hashes: a level by the key's hash over the loads, then the key
        // among that level's endpoints (all of them again where none of those is left).
        int level = local == null ? -1 : local.levelFor(mix(key), upstreams, outliers, this, clock);
        if (level >= 0 && java.util.Arrays.stream(local.members(level)).noneMatch(i -> healthy(upstreams.get(i)))) {
            level = -1;
        }
        for (int i = 0; i < upstreams.size(); i++) {
            if (level >= 0 && (local.levelOf(i) != level || local.share(i) <= 0)) {
                continue;
            }
            if (!healthy(upstreams.get(i)) && (anyHealthy != null ? anyHealthy : (anyHealthy = anyHealthy()))) {
                continue;
            }
            long score = mix(key + "|" + upstreams.get(i).address());
            if (score > bestScore) {
                bestScore = score;
                best = i;
            }
        }
        return best;
    }

    /** Not ejected by outlier detection, or ejected while too few endpoints are left ({@code minHealthPercent}). */
    public boolean healthy(Upstream u) {
        return outliers == null || outliers.available(u);
    }

    private boolean anyHealthy() {
        return upstreams.stream().anyMatch(this::healthy);
    }

    private int healthyFrom(int start) {
        if (outliers == null) {
            return start;
        }
        for (int i = 0; i < upstreams.size(); i++) {
            int index = (start + i) % upstreams.size();
            if (healthy(upstreams.get(index))) {
                return index;
            }
        }
        return start;
    }

    /**
     * A 64-bit hash of {@code s}, the same in every process (FNV-1a, then a finalizer that spreads its bits): what
     * rendezvous hashing scores by, and what names an endpoint in a session every node must read alike.
     */
    public static long mix(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ b) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }

    /**
     * The first endpoint from {@code from} on (an offset, wrapping: {@link #get}) that is not ejected, as an offset
     * at or after {@code from}; {@code from} itself when none is healthy. A try after a failed one goes on from the
     * offset after the last one tried, so no endpoint is tried twice before every healthy one has been.
     */
    public int nextHealthy(int from) {
        for (int i = 0; i < upstreams.size(); i++) {
            if (healthy(get(from + i))) {
                return from + i;
            }
        }
        return from;
    }

    /**
     * Where a retry goes after a try at offset {@code last}. Without locality levels: the next healthy endpoint on.
     * With them, as Envoy's retries, from the levels not in {@code excluded} (a bit per level; Istio's
     * {@code retryRemoteLocalities} excludes the levels already tried, Envoy's {@code previous_priorities}): within
     * the level of the endpoint tried when it is not excluded, its next healthy endpoint; the same one again when it is
     * alone in its level (Envoy's loads keep every try there while it is healthy); outwards when the level's others
     * are all ejected (its load spills). From an excluded level: the nearest level left with a healthy endpoint, an
     * endpoint of it in turn; with every level excluded, as with none (Envoy starts over). Never recurses or loops
     * beyond one walk over the levels.
     */
    public int retryAfter(int last, long excluded) {
        if (local == null) {
            return nextHealthy(last + 1);
        }
        int at = Math.floorMod(last, upstreams.size());
        int level = local.levelOf(at);
        boolean every = true;
        for (int l = 0; l < local.levels() && every; l++) {
            every = excludes(excluded, l);
        }
        if (every) {
            excluded = 0; // every level tried: Envoy starts over
        }
        if (!excludes(excluded, level)) {
            int[] members = local.members(level);
            int other = nextHealthyIn(members, at);
            if (other >= 0 && other != at) {
                return other;
            }
            if (members.length == 1 && healthy(upstreams.get(at))) {
                return at;
            }
            excluded |= level < 64 ? 1L << level : 0; // its others are ejected: the load spills to the levels after
        }
        for (int l = 0; l < local.levels(); l++) {
            if (!excludes(excluded, l)) {
                int other = nextHealthyIn(local.members(l), at);
                if (other >= 0) {
                    return other;
                }
            }
        }
        return nextHealthy(last + 1);
    }

    /** The level of the endpoint at {@code offset} under locality load balancing; -1 without levels. */
    public int levelOf(int offset) {
        return local == null ? -1 : local.levelOf(Math.floorMod(offset, upstreams.size()));
    }

    private static boolean excludes(long excluded, int level) {
        return level < 64 && (excluded & (1L << level)) != 0;
    }

    /**
     * The first healthy member after {@code at} among {@code members}; when {@code at} is not one of them, from a
     * member taken in turn (retries moving to a level spread over it, not all onto its first endpoint); -1: none.
     */
    private int nextHealthyIn(int[] members, int at) {
        int from = java.util.Arrays.binarySearch(members, at);
        int start = from >= 0 ? from + 1 : Math.floorMod(spread.getAndIncrement(), members.length);
        for (int k = 0; k < members.length; k++) {
            int i = members[(start + k) % members.length];
            if (healthy(upstreams.get(i))) {
                return i;
            }
        }
        return -1;
    }

    public Upstream get(int index) {
        return upstreams.get(Math.floorMod(index, upstreams.size()));
    }

    public int size() {
        return upstreams.size();
    }
}
