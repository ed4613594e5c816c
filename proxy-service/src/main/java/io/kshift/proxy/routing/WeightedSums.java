package io.kshift.proxy.routing;

/**
 * Deterministic weighted selection over running sums of weights: the slow start's endpoint weights, a locality
 * level's shares and the levels' loads are all picked this way. Pure: a position (or a point) and the sums in, an
 * index out.
 */
public final class WeightedSums {
    /** The golden ratio's fraction: successive multiples of it spread evenly over [0, 1) (a Weyl sequence). */
    private static final double SPREAD = 0.6180339887498949;

    private WeightedSums() {
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
