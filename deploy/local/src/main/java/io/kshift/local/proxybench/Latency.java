package io.kshift.local.proxybench;

/**
 * A log-linear histogram of latencies in microseconds (32 sub-buckets per power of two: within ~3 %), cheap enough
 * to record every operation of a load run; one per load thread, merged at the end.
 */
final class Latency {
    private static final int SUB = 32;
    private final long[] counts = new long[64 * SUB];
    private long total;

    void record(long micros) {
        counts[index(Math.max(0, micros))]++;
        total++;
    }

    void add(Latency other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
    }

    long count() {
        return total;
    }

    /** The value at quantile {@code q} (0..1), in microseconds; 0 when empty. */
    double quantile(double q) {
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= Math.max(1, rank)) {
                return value(i);
            }
        }
        return value(counts.length - 1);
    }

    static int index(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(v);
        int sub = (int) (v >>> (exponent - 5)) & (SUB - 1);
        return (exponent - 4) * SUB + sub;
    }

    /** The middle of bucket {@code i}. */
    static double value(int i) {
        if (i < SUB) {
            return i;
        }
        int exponent = i / SUB + 4;
        int sub = i % SUB;
        long low = (long) (SUB + sub) << (exponent - 5);
        long width = 1L << (exponent - 5);
        return low + width / 2.0;
    }
}
