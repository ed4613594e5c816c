package io.kshift.proxy.routing;

import io.kshift.model.istio.OutlierDetection;
import io.kshift.model.mesh.IstioDuration;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Passive health checking over one destination's endpoints, as Envoy's outlier detection: an endpoint that gives
 * {@code consecutive5xxErrors} 5xx answers in a row (or {@code consecutiveGatewayErrors} 502/503/504 answers or
 * connect failures) is ejected for {@code baseEjectionTime} × its ejection multiplier, unless that would eject
 * more than {@code maxEjectionPercent} of the endpoints (at least one may always be ejected: Envoy's rule until 1.28,
 * its {@code always_eject_one_host} since; without it a destination of fewer than ten endpoints at the default 10 %
 * would eject none, and Istio's locality failover task, whose rule sets no cap, would never fail over). As in
 * Envoy the multiplier grows by one per ejection and falls by one per {@code interval} the endpoint spends back in
 * service, so an endpoint that failed once an hour ago is not ejected for minutes. Below {@code minHealthPercent}
 * endpoints in service, ejections are ignored (Envoy's panic threshold, which Istio sets from it). The clock is
 * injected. Ejection state lives in each {@link Upstream}, which the next route table keeps for an
 * endpoint that stays, so a config push or another endpoint's restart does not end an ejection. Failures of the
 * proxy's own making ({@link #localFailure}: a refused or timed-out connect, a reset, a try that timed out) count as
 * gateway errors and 5xx, as Envoy counts them, unless {@code splitExternalLocalOriginErrors} counts them apart, up to
 * {@code consecutiveLocalOriginFailures}.
 */
public final class OutlierDetector {
    private final List<Upstream> upstreams;
    private final int consecutive5xx;
    private final int consecutiveGateway;
    private final long baseEjectionNanos;
    private final long intervalNanos;
    private final int maxEjectionPercent;
    private final int minHealthPercent;
    /** {@code consecutiveLocalOriginFailures} when local-origin failures are counted apart (else unused). */
    private final int consecutiveLocal;
    private final LongSupplier nanoClock;
    private final boolean split;
    /** Envoy's default {@code max_ejection_time}: a flapping endpoint is never out longer than this at a time. */
    static final long MAX_EJECTION_NANOS = Duration.ofSeconds(300).toNanos();

    OutlierDetector(List<Upstream> upstreams, OutlierDetection settings, LongSupplier nanoClock) {
        this.upstreams = upstreams;
        this.consecutive5xx = settings.consecutive5xxErrors() == null ? 5 : settings.consecutive5xxErrors();
        this.consecutiveGateway = settings.consecutiveGatewayErrors() == null ? 0 : settings.consecutiveGatewayErrors();
        this.baseEjectionNanos = IstioDuration.parse(settings.baseEjectionTime()).orElse(Duration.ofSeconds(30))
                .toNanos();
        this.intervalNanos = IstioDuration.parse(settings.interval()).orElse(Duration.ofSeconds(10)).toNanos();
        // Istio gives Envoy a cap only above 0: 0, like unset, is Envoy's 10 %.
        this.maxEjectionPercent = settings.maxEjectionPercent() == null || settings.maxEjectionPercent() == 0 ? 10
                : settings.maxEjectionPercent();
        this.minHealthPercent = settings.minHealthPercent() == null ? 0 : settings.minHealthPercent();
        // Istio sends Envoy no threshold for 0 (or none): Envoy's default, 5, applies.
        Integer local = settings.consecutiveLocalOriginFailures();
        this.consecutiveLocal = !settings.splitsLocalOrigin() ? 0 : local == null || local == 0 ? 5 : local;
        this.split = settings.splitsLocalOrigin();
        this.nanoClock = nanoClock;
    }

    public boolean ejected(Upstream u) {
        return u.ejectedUntil() - nanoClock.getAsLong() > 0;
    }

    /**
     * Whether {@code u} may be chosen: not ejected, or ejected while fewer than {@code minHealthPercent} of the
     * endpoints are in service (then every endpoint is, as in Envoy's panic mode). The count is made only for an
     * ejected endpoint, so a healthy pick costs one clock read.
     */
    public boolean available(Upstream u) {
        return !ejected(u) || belowMinHealth();
    }

    private boolean belowMinHealth() {
        if (minHealthPercent == 0) {
            return false;
        }
        long inService = upstreams.stream().filter(u -> !ejected(u)).count();
        return inService * 100 < (long) minHealthPercent * upstreams.size();
    }

    /** A response that is not an error (or a successful connect, for TCP). */
    public void success(Upstream u) {
        u.outcome(false, false, nanoClock.getAsLong());
    }

    /** A 5xx answer ({@code gateway}: 502, 503, 504) or a failed connect ({@code gateway} and not 5xx-counted). */
    public synchronized void failure(Upstream u, boolean fiveXx, boolean gateway) {
        int[] counts = u.outcome(fiveXx, gateway, nanoClock.getAsLong());
        boolean trip = (consecutive5xx > 0 && fiveXx && counts[0] >= consecutive5xx)
                || (consecutiveGateway > 0 && gateway && counts[1] >= consecutiveGateway);
        if (trip && !ejected(u)) {
            ejectOrStartOver(u);
        }
    }

    /**
     * A failure of the proxy's own making toward {@code u}: counted apart when the settings split them (ejected after
     * {@code consecutiveLocalOriginFailures}, 5 when 0 or unset), else as a gateway error and a 5xx.
     */
    public synchronized void localFailure(Upstream u) {
        if (!split) {
            failure(u, true, true);
            return;
        }
        int count = u.localFailure(nanoClock.getAsLong());
        if (count >= consecutiveLocal && !ejected(u)) {
            ejectOrStartOver(u);
        }
    }

    /** A tripped endpoint ejected when the cap allows; its counts start over either way (Envoy's detector). */
    private void ejectOrStartOver(Upstream u) {
        if (mayEject()) {
            // Envoy: max_ejection_time defaults to 300 s or baseEjectionTime, whichever is larger.
            u.eject(nanoClock.getAsLong(), baseEjectionNanos, Math.max(MAX_EJECTION_NANOS, baseEjectionNanos),
                    intervalNanos);
        } else {
            u.tripped();
        }
    }

    private boolean mayEject() {
        long ejectedNow = upstreams.stream().filter(this::ejected).count();
        return ejectedNow == 0 || (ejectedNow + 1) * 100 <= (long) maxEjectionPercent * upstreams.size();
    }
}
