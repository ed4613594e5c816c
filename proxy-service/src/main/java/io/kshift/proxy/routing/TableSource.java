package io.kshift.proxy.routing;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Where a listener reads its route table, once per connection or request: the node's live table, or the start-up
 * warm-up's own. One final class for both, read the same way, so the code the warm-up compiles is the code real
 * traffic runs: a branch or a second receiver class that only real listeners reached made the JIT throw away the
 * warm-up's work at the first real request.
 */
public final class TableSource {
    private final AtomicReference<RouteTable> current;

    public TableSource(RouteTable initial) {
        current = new AtomicReference<>(initial);
    }

    public RouteTable get() {
        return current.get();
    }

    /** Installs {@code next} if the table is still {@code expected}. */
    public boolean compareAndSet(RouteTable expected, RouteTable next) {
        return current.compareAndSet(expected, next);
    }
}
