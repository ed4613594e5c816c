package io.kshift.proxy.routing;

import io.kshift.model.istio.LoadBalancerSettings;
import io.kshift.model.mesh.IstioDuration;
import java.util.Optional;

/**
 * Envoy's slow start (Istio's {@code warmup}): for {@code windowNanos} after an endpoint joins its destination, its
 * weight is {@code max(minFraction, (age / window) ^ (1 / aggression))}, the age counted as at least a second; after
 * that, 1. Endpoints that joined together weigh the same, so a destination made all at once (a node starting, a new
 * deployment) is balanced as without it: slow start spares the few new endpoints of a scale-up. Pure: the clock is
 * the caller's.
 */
public record SlowStart(long windowNanos, double minFraction, double aggression) {
    private static final long SECOND = 1_000_000_000L;
    /** The golden ratio's fraction: successive multiples of it spread evenly over [0, 1) (a Weyl sequence). */
    private static final double SPREAD = 0.6180339887498949;

    /** The slow start a load balancer setting asks for, if any (a zero window is none). */
    public static Optional<SlowStart> of(LoadBalancerSettings lb) {
        if (lb == null) {
            return Optional.empty();
        }
        return lb.slowStart().flatMap(w -> IstioDuration.parse(w.duration()).filter(d -> !d.isZero() && !d.isNegative())
                .map(d -> new SlowStart(d.toNanos(), w.minimumFraction(), w.effectiveAggression())));
    }

    /** The weight of an endpoint that joined {@code ageNanos} ago (1 once the window is over). */
    public double weight(long ageNanos) {
        if (ageNanos >= windowNanos) {
            return 1.0;
        }
        double time = (double) Math.max(ageNanos, SECOND) / windowNanos;
        return Math.max(minFraction, Math.pow(Math.min(time, 1.0), 1.0 / aggression));
    }

    /** Running sums of {@code weights}: what {@link #pick} searches. */
    public static double[] cumulative(double[] weights) {
        double[] out = new double[weights.length];
        double sum = 0;
        for (int i = 0; i < weights.length; i++) {
            sum += weights[i];
            out[i] = sum;
        }
        return out;
    }

    /**
     * The index the {@code position}-th pick of a weighted round-robin takes, given the weights' running sums
     * ({@link #cumulative}): deterministic, each index taken in proportion to its weight over any run of picks (the
     * position's golden-ratio fraction is a point on the sums, so consecutive picks land far apart).
     */
    public static int pick(long position, double[] cumulative) {
        return find(((position * SPREAD) % 1.0 + 1.0) % 1.0 * cumulative[cumulative.length - 1], cumulative);
    }

    /** The index whose span of the running sums holds {@code point} (0 up to, not including, the total). */
    public static int find(double point, double[] cumulative) {
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (point < cumulative[mid]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }
}
