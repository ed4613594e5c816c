package io.kshift.proxy.http;

import io.kshift.proxy.routing.EndpointPicker;
import io.kshift.proxy.routing.Upstream;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpResponse;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sends mirrored (shadow) copies of requests, fire and forget: the Host gets {@code -shadow} before any port, as
 * Envoy does, the response is read and thrown away, and at most {@code limit} copies are in flight per node
 * (over it a copy is dropped and counted), each reset after {@code timeoutMillis} without a byte from the mirror, so a slow or failing mirror
 * can never hold the client or exhaust the node.
 */
final class Mirrors {
    private final HttpUpstreams upstreams;
    private final int limit;
    private final long timeoutMillis;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder sent = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    /**
     * The node's request-body budget: a copy holds its body until the mirror is done with it, after the exchange gave
     * its own bytes back, so it takes them from the budget too (256 slow copies of 1 MiB bodies were 256 MiB outside
     * it), while the budget stays at most half full; over that a copy is dropped, as over the count.
     */
    private final BodyBudget budget;

    Mirrors(HttpUpstreams upstreams, int limit, long timeoutMillis, BodyBudget budget) {
        this.upstreams = upstreams;
        this.limit = limit;
        this.timeoutMillis = timeoutMillis;
        this.budget = budget;
    }

    /** {@code http2}: the client came over HTTP/2 (a destination that follows the client's protocol goes so too). */
    void send(HttpTarget target, EventLoop loop, HttpMethod method, String uri, MultiMap headers, Buffer body,
              boolean http2) {
        if (inFlight.incrementAndGet() > limit) {
            inFlight.decrementAndGet();
            dropped.increment();
            return;
        }
        long held = body.length();
        // At most half the budget held with copies counted: a shadow that never answers must not leave the
        // requests themselves without room (503 OM) or without the copies their retries need.
        if (held > 0 && !budget.take(held, budget.limit() / 2)) {
            inFlight.decrementAndGet();
            dropped.increment();
            return;
        }
        EndpointPicker endpoints = target.endpoints();
        Upstream endpoint = endpoints.get(endpoints.first());
        MultiMap copy = MultiMap.caseInsensitiveMultiMap().addAll(headers);
        copy.set("host", shadow(headers.get("host")));
        sent.increment();
        target.requests().increment();
        var request = UpstreamRequests.request(method, uri, copy, body);
        Shadow shadow = new Shadow(target, System.nanoTime(), held);
        UpstreamCall call = new UpstreamCall(loop, request, shadow);
        if (timeoutMillis > 0) {
            shadow.idle = new StreamIdle(loop, timeoutMillis, call::reset);
        }
        upstreams.send(target.pool(http2), loop, endpoint, call);
    }

    /** One mirrored copy: its answer is read and thrown away; its outcome counts for the mirror destination. */
    private final class Shadow implements UpstreamListener {
        private final HttpTarget target;
        private final long start;
        private final long held;
        private int status;
        /** Nothing heard from the mirror for the timeout: it is reset. Null when the timeout is off. */
        StreamIdle idle;

        Shadow(HttpTarget target, long start, long held) {
            this.target = target;
            this.start = start;
            this.held = held;
        }

        @Override
        public void head(HttpResponse head) {
            status = head.status().code();
            moved();
        }

        @Override
        public void chunk(Buffer chunk) {
            moved();
        }

        private void moved() {
            if (idle != null) {
                idle.moved();
            }
        }

        @Override
        public void end(Buffer last, io.netty.handler.codec.http.HttpHeaders trailers) {
            done(status, null);
        }

        /**
         * As an exchange counts its own failures: a copy the pool refused is UO, one the mirror's idle timeout reset UT
         * (keeping a status already answered), one no endpoint took UF (and a connect failure), one cut after it
         * went out UR (keeping its status). All were 503 UF, so a mirror answering 200 then cut looked unreachable.
         */
        @Override
        public void failed(Throwable cause, boolean sent) {
            if (cause == EndpointPool.OVERFLOW) {
                done(503, ResponseFlags.OVERFLOW);
            } else if (cause == UpstreamCall.RESET) { // only the idle timer resets a copy, queued or sent
                done(status > 0 ? status : 504, ResponseFlags.TIMEOUT);
            } else if (!sent) {
                target.stats().connectFailure(cause);
                done(503, ResponseFlags.CONNECT_FAILURE);
            } else {
                done(status > 0 ? status : 503, ResponseFlags.RESET);
            }
        }

        private void done(int code, String flag) {
            if (idle != null) {
                idle.stop();
            }
            inFlight.decrementAndGet();
            budget.give(held);
            target.stats().request(code, flag, (System.nanoTime() - start) / 1_000_000);
        }
    }

    /** {@code httpbin:8000} becomes {@code httpbin-shadow:8000}. */
    static String shadow(String authority) {
        if (authority == null) {
            return "-shadow";
        }
        int colon = authority.lastIndexOf(':');
        boolean hasPort = colon > 0 && authority.indexOf(']') < colon;
        return hasPort ? authority.substring(0, colon) + "-shadow" + authority.substring(colon) : authority + "-shadow";
    }

    long sent() {
        return sent.sum();
    }

    long dropped() {
        return dropped.sum();
    }
}
