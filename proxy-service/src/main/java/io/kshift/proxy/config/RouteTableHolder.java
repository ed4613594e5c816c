package io.kshift.proxy.config;

import io.kshift.proxy.routing.RouteTable;
import io.kshift.proxy.routing.TableSource;
import jakarta.enterprise.context.ApplicationScoped;

/** The one reference through which the data path reads the current route table: read once per connection. */
@ApplicationScoped
public class RouteTableHolder {
    private final TableSource current = new TableSource(RouteTable.empty());
    private final java.util.concurrent.atomic.AtomicLong superseded = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong unreadable = new java.util.concurrent.atomic.AtomicLong();

    public RouteTable get() {
        return current.get();
    }

    /** What listeners read the table through (they never swap it: only {@link #swapIfNewer} does). */
    public TableSource source() {
        return current;
    }

    /** Snapshots this node skipped because a newer one was already waiting (reported in its status). */
    public java.util.concurrent.atomic.AtomicLong superseded() {
        return superseded;
    }

    /**
     * Records on the config topic this node could not use: empty, not a snapshot, or failing to build (logged each
     * time; exported as {@code kshift_config_snapshots_unreadable_total}). The node keeps its last good table.
     */
    public java.util.concurrent.atomic.AtomicLong unreadable() {
        return unreadable;
    }

    /** Installs a newer table; an older or equal generation is ignored (snapshots can be re-read after restarts). */
    public boolean swapIfNewer(RouteTable next) {
        RouteTable previous;
        do {
            previous = current.get();
            if (next.generation() <= previous.generation()) {
                return false;
            }
        } while (!current.compareAndSet(previous, next));
        return true;
    }
}
