package io.kshift.proxy.http;

import io.kshift.model.istio.HttpFaultInjection;
import io.kshift.model.istio.HttpRedirect;
import io.kshift.model.istio.RetryOn;
import io.kshift.model.resource.ResourceKey;
import io.kshift.proxy.routing.WeightedPicker;
import java.time.Duration;
import java.util.List;

/**
 * One compiled http route: its match blocks, then what happens to a matching request, in the order the
 * exchange applies it: fault, redirect or direct response, rewrite and header edits, weighted destination (or the one
 * a session persists to: {@code session}, null without), mirrors, and the timeout and retry policy of the forward.
 */
record HttpRouteEntry(ResourceKey source, String field, List<MatchBlock> match, Fault fault, HttpRedirect redirect,
                      PathRewrite rewrite, String authorityRewrite, HeaderEdits requestEdits, HeaderEdits responseEdits,
                      List<HttpTarget> targets, WeightedPicker picker, List<Mirror> mirrors, Duration timeout,
                      Retry retry, Cors cors, Direct direct, SessionAffinity session) {

    HttpRouteEntry(ResourceKey source, String field, List<MatchBlock> match, Fault fault, HttpRedirect redirect,
                   PathRewrite rewrite, String authorityRewrite, HeaderEdits requestEdits, HeaderEdits responseEdits,
                   List<HttpTarget> targets, WeightedPicker picker, List<Mirror> mirrors, Duration timeout,
                   Retry retry, Cors cors, Direct direct) {
        this(source, field, match, fault, redirect, rewrite, authorityRewrite, requestEdits, responseEdits, targets,
                picker, mirrors, timeout, retry, cors, direct, null);
    }

    /**
     * Whether the route splits between destinations as its config says (Istio's weighted clusters, whose header
     * edits Envoy applies before the route's): also where this node could not resolve some of them and holds their
     * share, so that every node edits the route's headers alike.
     */
    boolean weighted() {
        return targets.size() > 1 || picker != null && !picker.single();
    }

    /** A direct response: the status and body the proxy answers with, forwarding nothing. */
    record Direct(int status, byte[] body) {
        static Direct of(io.kshift.model.istio.HttpDirectResponse d) {
            return d == null ? null : new Direct(d.status(), d.body() == null ? new byte[0] : d.body().content());
        }
    }

    /**
     * A delay and/or an abort, each for a percentage of requests (0–100); an abort answers {@code abortStatus}, or
     * when {@code grpcStatus} is set (0 to 16, else -1), a gRPC answer with that status.
     */
    record Fault(Duration delay, double delayPercent, int abortStatus, double abortPercent, int grpcStatus) {
        static Fault of(HttpFaultInjection f) {
            if (f == null) {
                return null;
            }
            Duration delay = f.delay() == null ? null
                    : io.kshift.model.mesh.IstioDuration.parse(f.delay().fixedDelay()).orElseThrow();
            double delayPct = f.delay() == null ? 0 : percent(f.delay().percentage());
            int grpc = f.abort() == null || f.abort().grpcStatus() == null ? -1
                    : io.kshift.model.grpc.GrpcStatus.parse(f.abort().grpcStatus()).orElse(2);
            // A gRPC abort is an HTTP 200 carrying the status, as gRPC answers every call.
            int status = f.abort() == null ? 0 : grpc >= 0 ? 200 : f.abort().httpStatus();
            double abortPct = f.abort() == null ? 0 : percent(f.abort().percentage());
            return new Fault(delay, delayPct, status, abortPct, grpc);
        }

        private static double percent(io.kshift.model.istio.Percent p) {
            // Istio: "If left unspecified, no request will be delayed" (aborted, likewise).
            return p == null || p.value() == null ? 0 : p.value();
        }
    }

    /** A mirror destination and the share of requests copied to it. */
    record Mirror(HttpTarget target, double percent) {
    }

    /**
     * {@code attempts} retries after the first try, each try bounded by {@code perTry} (null: only the route timeout),
     * each after at least {@code backoff} (null: Envoy's 25 ms base, fully jittered); {@code remoteLocalities}: under
     * locality levels a retry goes to the next level, not another endpoint of the one tried.
     */
    record Retry(int attempts, Duration perTry, RetryOn on, Duration backoff, boolean remoteLocalities) {
        static final Retry NONE = new Retry(0, null, RetryOn.parse(RetryOn.DEFAULT), null);

        Retry(int attempts, Duration perTry, RetryOn on, Duration backoff) {
            this(attempts, perTry, on, backoff, false);
        }

        /**
         * How long before retry {@code attempt + 1}. Envoy's default (no backoff set): a 25 ms base doubling per
         * retry, fully jittered, capped at ten times the base (0 to 25, 50, 100, 200, then 250 ms at most). With a
         * backoff: never less than it (the Gateway API's
         * "minimum duration", Istio's "minimum duration between retry attempts"), doubling per retry up to ten
         * times it, with up to a quarter more of jitter so retries of many requests spread out.
         */
        long backoffMillis(int attempt, java.util.random.RandomGenerator random) {
            if (backoff == null) {
                return 1 + random.nextLong(Math.min(25L << Math.min(attempt, 4), 250));
            }
            long least = Math.max(1, backoff.toMillis());
            long wait = Math.min(least << Math.min(attempt, 4), 10 * least);
            return wait + random.nextLong(wait / 4 + 1);
        }
    }

    /** The same route taken by {@code blocks} alone (a Gateway API rule's matches are ranked one by one). */
    HttpRouteEntry withMatch(List<MatchBlock> blocks) {
        return new HttpRouteEntry(source, field, blocks, fault, redirect, rewrite, authorityRewrite, requestEdits,
                responseEdits, targets, picker, mirrors, timeout, retry, cors, direct, session);
    }

    /** The weighted pick; null for the share of a destination this node could not resolve (503). */
    HttpTarget pick() {
        int i = picker.pick();
        return i < targets.size() ? targets.get(i) : null;
    }

    /** Where the rule's session pins {@code request}: null without a session, or when none holds for it now. */
    SessionAffinity.Pin pinned(io.vertx.core.http.HttpServerRequest request) {
        return session == null ? null : session.pinned(request, targets, System.currentTimeMillis() / 1000);
    }
}
