package io.kshift.proxy.routing;

import io.kshift.model.registry.HostPort;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One endpoint of a destination in a route table, with when it joined the destination (slow start), its live
 * connection or request count (for LEAST_REQUEST) and its outlier-detection state (consecutive errors, ejections), owned by the destination's
 * {@link OutlierDetector}.
 */
public final class Upstream {
    /**
     * Ejections made so far, by any detector: a cached view of who is healthy checks it ({@link LocalPicker}). Global,
     * because an endpoint carried into a new table can still be ejected through the last table's detector by a
     * request that started there.
     */
    static final java.util.concurrent.atomic.AtomicInteger EJECTIONS = new java.util.concurrent.atomic.AtomicInteger();
    private final HostPort address;
    /** When it joined its destination (the clock's nanos), for slow start: long ago unless given. */
    private final long joinedAt;
    private final AtomicInteger active = new AtomicInteger();
    private int consecutive5xx;
    private int consecutiveGateway;
    private int consecutiveLocal;
    private int ejections;
    /** Ejected, and no outcome counted since the ejection ended: the counts start over at the first one. */
    private boolean owesReset;
    private volatile long ejectedUntil = Long.MIN_VALUE / 2;

    public Upstream(HostPort address) {
        this(address, Long.MIN_VALUE / 4);
    }

    public Upstream(HostPort address, long joinedAt) {
        this.address = address;
        this.joinedAt = joinedAt;
    }

    public long joinedAt() {
        return joinedAt;
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

    long ejectedUntil() {
        return ejectedUntil;
    }

    /**
     * Records an outcome (an answer, a connect that worked, or a local failure counted as an answer); returns the
     * consecutive 5xx and gateway-error counts after it. The local-origin count starts again: the endpoint was reached
     * (or, where failures are not split, that count is not used).
     */
    synchronized int[] outcome(boolean fiveXx, boolean gateway, long now) {
        startOverAfterEjection(now);
        consecutive5xx = fiveXx ? consecutive5xx + 1 : 0;
        consecutiveGateway = gateway ? consecutiveGateway + 1 : 0;
        consecutiveLocal = 0;
        return new int[] {consecutive5xx, consecutiveGateway};
    }

    /**
     * Starts the consecutive counts over, as Envoy does when they trip whether or not the ejection is made (the
     * ejection cap may refuse it): the next ejection needs as many errors again.
     */
    synchronized void tripped() {
        consecutive5xx = 0;
        consecutiveGateway = 0;
        consecutiveLocal = 0;
    }

    /** Records a failure of the proxy's own making, counted apart; returns the consecutive count after it. */
    synchronized int localFailure(long now) {
        startOverAfterEjection(now);
        return ++consecutiveLocal;
    }

    /**
     * Errors answered while the endpoint was ejected (requests already in flight, or sent in panic mode) do not count
     * toward its next ejection: as Envoy resets the counts when it returns an endpoint to service, so one error
     * after an ejection does not eject it again at once, for twice as long.
     */
    private void startOverAfterEjection(long now) {
        if (owesReset && ejectedUntil - now <= 0) {
            owesReset = false;
            consecutive5xx = 0;
            consecutiveGateway = 0;
            consecutiveLocal = 0;
        }
    }

    /**
     * Envoy's ejection time backoff: the multiplier first loses one for each whole {@code intervalNanos} since the
     * last ejection ended (Envoy decrements it at each interval sweep that finds the endpoint in service), then
     * gains one unless {@code baseNanos} times it already passes {@code maxNanos} by a base (so it stays bounded
     * and a long-flapping endpoint recovers in bounded time).
     */
    synchronized void eject(long now, long baseNanos, long maxNanos, long intervalNanos) {
        long inService = now - ejectedUntil;
        if (ejections > 0 && inService > 0 && intervalNanos > 0) {
            ejections = (int) Math.max(0, ejections - inService / intervalNanos);
        }
        if ((long) ejections * baseNanos < maxNanos + baseNanos) {
            ejections++;
        }
        ejectedUntil = now + Math.min(maxNanos, Math.max(baseNanos, baseNanos * ejections));
        consecutive5xx = 0;
        consecutiveGateway = 0;
        consecutiveLocal = 0;
        owesReset = true;
        EJECTIONS.incrementAndGet();
    }

    @Override
    public String toString() {
        return address.toString();
    }
}
