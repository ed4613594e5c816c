package io.kshift.proxy.http;

import io.kshift.proxy.routing.Upstream;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.vertx.core.buffer.Buffer;

/**
 * One try of an exchange: its endpoint and per-try timer, whether its slots were given back, and what its answer is
 * doing. It sorts what the upstream says by the try's state (a head after its per-try timer fired is dropped; an end
 * before the timer's reset arrived is a reset; a failure mid-answer breaks the client's answer off) and hands the
 * rest to its {@link Owner}. Everything runs on the exchange's event loop.
 */
final class UpstreamTry implements UpstreamListener {
    /** The exchange a try reports to. */
    interface Owner {
        /** The try has its connection: its per-try timer may start. */
        void ready(UpstreamTry t);

        void answered(UpstreamTry t, HttpResponse head);

        void chunk(UpstreamTry t, Buffer chunk);

        void ended(UpstreamTry t, Buffer last, HttpHeaders trailers);

        /** The try failed before its answer began: retry, or answer the client. */
        void failed(UpstreamTry t, Throwable cause, boolean sent);

        /** The answer broke off after it began: the client's can only be reset. */
        void brokeOff(UpstreamTry t);

        /** Gives the try's slots back (and a retry slot, if {@code retry}); once per try. */
        void release(UpstreamTry t, boolean retry);

        /** A streamed request body may be written again. */
        void writable();
    }

    private final Owner owner;
    final int attempt;
    final Upstream endpoint;
    /** Whether this try holds a retry slot (the exchange gives it back early when it retries after this try). */
    boolean retry;
    UpstreamCall call;
    long timer = -1;
    /** It has its connection (not waiting in the pool's queue or for a connect). */
    boolean ready;
    boolean timedOut;
    boolean released;
    /** Its answer is the client's, relayed as it comes. */
    boolean streaming;
    boolean headSeen;
    int status;
    /** The answer's {@code grpc-status} (headers of a trailers-only answer, else trailers); -1: none. */
    int grpcStatus = -1;

    UpstreamTry(Owner owner, int attempt, Upstream endpoint, boolean retry) {
        this.owner = owner;
        this.attempt = attempt;
        this.endpoint = endpoint;
        this.retry = retry;
    }

    @Override
    public void ready() {
        ready = true;
        owner.ready(this);
    }

    @Override
    public void head(HttpResponse head) {
        if (timedOut) {
            return; // the per-try timer fired first (its reset is on the way from the pool's loop)
        }
        headSeen = true;
        owner.answered(this, head);
    }

    @Override
    public void chunk(Buffer chunk) {
        owner.chunk(this, chunk);
    }

    @Override
    public void end(Buffer last, HttpHeaders trailers) {
        if (timedOut && !headSeen) {
            owner.failed(this, UpstreamCall.RESET, true); // ended before the timer's reset arrived
        } else {
            owner.ended(this, last, trailers);
        }
    }

    @Override
    public void writable() {
        owner.writable();
    }

    @Override
    public void failed(Throwable cause, boolean sent) {
        if (streaming) {
            owner.brokeOff(this);
        } else if (headSeen) {
            owner.release(this, retry); // a dropped answer broke off, or the exchange had ended
        } else {
            owner.failed(this, cause, sent);
        }
    }

    /**
     * Takes a slot under {@code limit}. The counters are shared by every event loop: one atomic add, given back when
     * it went over. A compare-and-set loop retried only under contention, which a warm-up rarely meets, so the
     * first busy moment of real traffic sent the compiled request path back to recompile. A request arriving in
     * the instant another is over the limit is refused too: Envoy's circuit breakers are approximate the same way.
     */
    static boolean acquire(java.util.concurrent.atomic.AtomicInteger counter, int limit) {
        if (counter.incrementAndGet() > limit) {
            counter.decrementAndGet();
            return false;
        }
        return true;
    }
}
