package io.kshift.proxy.routing;

import io.kshift.model.istio.OutlierDetection;
import io.kshift.model.mesh.IstioDuration;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Passive health checking over one destination's endpoints, as Envoy's outlier detection: an endpoint that gives
 * {@code consecutive5xxErrors} 5xx answers in a row (or {@code consecutiveGatewayErrors} 502/503/504 answers or
 * connect failures) is ejected for {@code baseEjectionTime} × its number of ejections, unless that would eject
 * more than {@code maxEjectionPercent} of the endpoints (at least one may always be ejected, as in Envoy). The
 * clock is injected. Ejection state lives in each {@link Upstream}, which the next route table keeps for an
 * endpoint that stays, so a config push or another endpoint's restart does not end an ejection.
 */
public final class OutlierDetector {
    private final List<Upstream> upstreams;
    private final int consecutive5xx;
    private final int consecutiveGateway;
    private final long baseEjectionNanos;
    private final int maxEjectionPercent;
    private final LongSupplier nanoClock;
    /** Envoy's default {@code max_ejection_time}: a flapping endpoint is never out longer than this at a time. */
    static final long MAX_EJECTION_NANOS = Duration.ofSeconds(300).toNanos();

    OutlierDetector(List<Upstream> upstreams, OutlierDetection settings, LongSupplier nanoClock) {
        this.upstreams = upstreams;
        this.consecutive5xx = settings.consecutive5xxErrors() == null ? 5 : settings.consecutive5xxErrors();
        this.consecutiveGateway = settings.consecutiveGatewayErrors() == null ? 0 : settings.consecutiveGatewayErrors();
        this.baseEjectionNanos = IstioDuration.parse(settings.baseEjectionTime()).orElse(Duration.ofSeconds(30))
                .toNanos();
        this.maxEjectionPercent = settings.maxEjectionPercent() == null ? 10 : settings.maxEjectionPercent();
        this.nanoClock = nanoClock;
    }

    public boolean ejected(Upstream u) {
        return u.ejectedUntil() - nanoClock.getAsLong() > 0;
    }

    /** A response that is not an error (or a successful connect, for TCP). */
    public void success(Upstream u) {
        u.outcome(false, false);
    }

    /** A 5xx answer ({@code gateway}: 502, 503, 504) or a failed connect ({@code gateway} and not 5xx-counted). */
    public synchronized void failure(Upstream u, boolean fiveXx, boolean gateway) {
        int[] counts = u.outcome(fiveXx, gateway);
        boolean trip = (consecutive5xx > 0 && fiveXx && counts[0] >= consecutive5xx)
                || (consecutiveGateway > 0 && gateway && counts[1] >= consecutiveGateway);
        if (trip && !ejected(u) && mayEject()) {
            u.eject(nanoClock.getAsLong(), baseEjectionNanos, MAX_EJECTION_NANOS);
        }
    }

    private boolean mayEject() {
        long ejectedNow = upstreams.stream().filter(this::ejected).count();
        return ejectedNow == 0 || (ejectedNow + 1) * 100 <= (long) maxEjectionPercent * upstreams.size();
    }
}
