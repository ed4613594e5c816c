package io.kshift.proxy.routing;

import io.kshift.model.istio.LoadBalancerSettings;
import io.kshift.model.mesh.IstioDuration;
import java.util.Optional;

/**
 * Envoy's slow start (Istio's {@code warmup}): for {@code windowNanos} after an endpoint joins its destination, its
 * weight is {@code max(minFraction, (age / window) ^ (1 / aggression))}, the age counted as at least a second; after
 * that, 1. Endpoints that joined together weigh the same, so a destination made all at once (a node starting, a new
 * deployment) is balanced as without it: slow start spares the few new endpoints of a scale-up. Pure: the clock is
 * the caller's.
 */
public record SlowStart(long windowNanos, double minFraction, double aggression) {
    private static final long SECOND = 1_000_000_000L;

    /** The slow start a load balancer setting asks for, if any (a zero window is none). */
    public static Optional<SlowStart> of(LoadBalancerSettings lb) {
        if (lb == null) {
            return Optional.empty();
        }
        return lb.slowStart().flatMap(w -> IstioDuration.parse(w.duration()).filter(d -> !d.isZero() && !d.isNegative())
                .map(d -> new SlowStart(d.toNanos(), w.minimumFraction(), w.effectiveAggression())));
    }

    /** The weight of an endpoint that joined {@code ageNanos} ago (1 once the window is over). */
    public double weight(long ageNanos) {
        if (ageNanos >= windowNanos) {
            return 1.0;
        }
        double time = (double) Math.max(ageNanos, SECOND) / windowNanos;
        return Math.max(minFraction, Math.pow(Math.min(time, 1.0), 1.0 / aggression));
    }
}
