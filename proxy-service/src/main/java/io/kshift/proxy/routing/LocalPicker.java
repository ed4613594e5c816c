package io.kshift.proxy.routing;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The locality part of an {@link EndpointPicker}'s choice ({@link LocalityLb}): which level a pick goes to, by
 * Envoy's priority loads over the levels' healthy endpoints, and the endpoints of each level that have a share. The
 * loads are made again only when an endpoint was ejected since (anywhere: {@link Upstream#EJECTIONS}), or an
 * ejection they counted has ended, so a pick costs a counter and a clock read while nothing changes, not a walk over
 * every endpoint.
 */
final class LocalPicker {
    private final LocalityLb locality;
    /** Per level, the endpoints (indexes) it has a share for. */
    private final int[][] members;
    /** With one level and shares that differ ({@code distribute}): their running sums over {@code members[0]}. */
    private final double[] shareSums;
    private final AtomicInteger nextLevel = new AtomicInteger();
    private volatile Loads loads;

    /** The levels' loads as running sums, made at {@code epoch} and good until {@code until} (clock nanos). */
    private record Loads(double[] sums, int epoch, long until) {
    }

    LocalPicker(LocalityLb locality) {
        this.locality = locality;
        this.members = new int[locality.levels()][];
        for (int level = 0; level < members.length; level++) {
            int l = level;
            members[level] = java.util.stream.IntStream.range(0, locality.level().length)
                    .filter(i -> locality.level()[i] == l && locality.share()[i] > 0).toArray();
        }
        this.shareSums = locality.levels() != 1 ? null : shareSums(locality, members[0]);
    }

    private static double[] shareSums(LocalityLb locality, int[] in) {
        double[] shares = java.util.Arrays.stream(in).mapToDouble(i -> locality.share()[i]).toArray();
        boolean equal = java.util.Arrays.stream(shares).allMatch(x -> x == shares[0]);
        return equal ? null : WeightedSums.cumulative(shares);
    }

    int[] members(int level) {
        return members[level];
    }

    /** The running sums of the one level's shares, or null where they are equal (or there are several levels). */
    double[] shareSums() {
        return shareSums;
    }

    int levels() {
        return locality.levels();
    }

    int levelOf(int index) {
        return locality.level()[index];
    }

    double share(int index) {
        return locality.share()[index];
    }

    /** The level the next pick goes to. */
    int level(List<Upstream> upstreams, OutlierDetector outliers, EndpointPicker picker,
              java.util.function.LongSupplier clock) {
        return locality.levels() == 1 ? 0
                : WeightedSums.pick(nextLevel.getAndIncrement(), sums(upstreams, outliers, picker, clock));
    }

    /**
     * The level for a hash key: from the hash itself, as Envoy's hashing balancers choose a priority, so a key keeps
     * its level (and endpoint) while the loads stay.
     */
    int levelFor(long hash, List<Upstream> upstreams, OutlierDetector outliers, EndpointPicker picker,
                 java.util.function.LongSupplier clock) {
        return locality.levels() == 1 ? 0
                : WeightedSums.find((hash >>> 1) % 100, sums(upstreams, outliers, picker, clock));
    }

    private double[] sums(List<Upstream> upstreams, OutlierDetector outliers, EndpointPicker picker,
                          java.util.function.LongSupplier clock) {
        Loads l = loads;
        int epoch = Upstream.EJECTIONS.get();
        if (l == null || l.epoch() != epoch || l.until() != Long.MAX_VALUE && clock.getAsLong() - l.until() >= 0) {
            l = loads(upstreams, outliers, picker, epoch);
            loads = l;
        }
        return l.sums();
    }

    private Loads loads(List<Upstream> upstreams, OutlierDetector outliers, EndpointPicker picker, int epoch) {
        int[] healthy = new int[locality.levels()];
        int[] total = new int[locality.levels()];
        long until = Long.MAX_VALUE;
        for (int i = 0; i < upstreams.size(); i++) {
            int l = locality.level()[i];
            Upstream u = upstreams.get(i);
            total[l]++;
            if (picker.healthy(u)) {
                healthy[l]++;
            }
            if (outliers != null && outliers.ejected(u)) {
                until = Math.min(until, u.ejectedUntil()); // the loads change when it comes back
            }
        }
        int[] percent = LocalityLb.loads(healthy, total);
        double[] sums = new double[percent.length];
        double sum = 0;
        for (int p = 0; p < percent.length; p++) {
            sum += percent[p];
            sums[p] = sum;
        }
        return new Loads(sums, epoch, until);
    }
}
