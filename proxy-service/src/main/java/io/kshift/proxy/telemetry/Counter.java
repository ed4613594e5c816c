package io.kshift.proxy.telemetry;

import java.util.concurrent.atomic.LongAdder;

/**
 * A data-path counter (a {@link LongAdder}: no lock, no contention) that also remembers what the reporter last
 * sent, so an interval's delta is one subtraction. Prometheus reads the cumulative {@link #sum()}.
 */
final class Counter extends LongAdder {
    private long reported;

    /** What was added since the last call. Called by the reporter only (one thread). */
    long takeDelta() {
        long now = sum();
        long delta = now - reported;
        reported = now;
        return delta;
    }
}
