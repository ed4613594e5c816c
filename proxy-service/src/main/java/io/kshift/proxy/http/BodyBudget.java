package io.kshift.proxy.http;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The request-body bytes this node holds at once, over every request (bodies are kept for retries and mirrors),
 * and their ceiling ({@code kshift.proxy.http.buffer-budget}): a request whose next chunk would cross it is
 * answered 503 with flag {@code OM} (Envoy's overload-manager letter), counted in telemetry, instead of the node
 * running out of heap under a few dozen large uploads while every other request waits on the same JVM.
 */
final class BodyBudget {
    private final long limit;
    private final AtomicLong held = new AtomicLong();

    BodyBudget(long limit) {
        this.limit = limit;
    }

    /** Takes {@code bytes} from the budget; false, taking nothing, when that would cross the ceiling. */
    boolean take(long bytes) {
        long now;
        do {
            now = held.get();
            if (now + bytes > limit) {
                return false;
            }
        } while (!held.compareAndSet(now, now + bytes));
        return true;
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
