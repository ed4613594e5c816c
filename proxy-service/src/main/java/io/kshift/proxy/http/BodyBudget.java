package io.kshift.proxy.http;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The request-body bytes this node holds at once, over every request, and their ceiling
 * ({@code kshift.proxy.http.buffer-budget}), so a few dozen large uploads never run the node out of heap while every
 * other request waits on the same JVM. Streamed bodies hold only their copies for retries and mirrors: over the
 * ceiling the copy is dropped and the body relayed on without it. A body the proxy reads whole before answering
 * itself is answered 503 with flag {@code OM} (Envoy's overload-manager letter), counted in telemetry.
 */
final class BodyBudget {
    private final long limit;
    private final AtomicLong held = new AtomicLong();

    BodyBudget(long limit) {
        this.limit = limit;
    }

    /** Takes {@code bytes} from the budget; false, taking nothing, when that would cross the ceiling. */
    boolean take(long bytes) {
        return take(bytes, limit);
    }

    /** As {@link #take(long)}, under a lower ceiling of its own (mirror copies: half, so requests keep the rest). */
    boolean take(long bytes, long ceiling) {
        long now;
        do {
            now = held.get();
            if (now + bytes > Math.min(ceiling, limit)) {
                return false;
            }
        } while (!held.compareAndSet(now, now + bytes));
        return true;
    }

    long limit() {
        return limit;
    }

    void give(long bytes) {
        if (bytes > 0) {
            held.addAndGet(-bytes);
        }
    }

    long held() {
        return held.get();
    }
}
