package io.kshift.proxy.routing;

import io.kshift.model.registry.HostPort;
import java.util.concurrent.atomic.AtomicInteger;

/** One endpoint of a destination in a route table, with its live connection count (for LEAST_REQUEST). */
public final class Upstream {
    private final HostPort address;
    private final AtomicInteger active = new AtomicInteger();

    public Upstream(HostPort address) {
        this.address = address;
    }

    public HostPort address() {
        return address;
    }

    public int active() {
        return active.get();
    }

    public void opened() {
        active.incrementAndGet();
    }

    public void closed() {
        active.decrementAndGet();
    }

    @Override
    public String toString() {
        return address.toString();
    }
}
