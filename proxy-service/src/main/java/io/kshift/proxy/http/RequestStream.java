package io.kshift.proxy.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayDeque;

/**
 * A forwarded request's body, relayed to the first try as it arrives instead of held until the client ends it (an
 * upload costs the node a few chunks, not its size; gRPC's bidirectional streams work: the server answers while the
 * client still sends), with backpressure both ways: the client is paused while the upstream cannot take more. A
 * copy is kept, up to the retry buffer limit and within the node's buffer budget, so a call that failed before its
 * answer can be retried and mirrored once the client has ended it; a longer body is relayed but not kept, and its
 * call is not retried (Envoy's rule: a retry needs the whole request buffered). A capped body (all but gRPC's
 * streams, which may last for hours) over the limit ends the exchange. On the request's event loop.
 */
final class RequestStream {
    /** Chunks held while the first try has no call or connection yet: the client is paused beyond them. */
    static final int QUEUED = 16;
    /** A declared body up to this is read whole before the first try: it costs little, and goes out in one write. */
    static final long SMALL_BODY = 64 * 1024;

    private final HttpServerRequest request;
    private final long maxBody;
    private final long retryBuffer;
    private final BodyBudget budget;
    private final Runnable moved;
    private final Runnable ended;
    /** Null: no cap. Else run once when the body crosses {@code maxBody}. */
    private final Runnable overLimit;
    private long relayed;
    private final ArrayDeque<Buffer> early = new ArrayDeque<>();
    /**
     * The kept copy, as the client's chunks (Vert.x's own heap copies, exactly sized): appending to one buffer would
     * double its capacity as it grew, so a budget of N bytes could hold twice that in heap.
     */
    private java.util.List<io.netty.buffer.ByteBuf> kept;
    /** The kept copy as one body, made once when first asked for. */
    private Buffer whole;
    private long budgeted;
    private UpstreamCall call;
    private boolean done;
    private boolean paused;
    private boolean closed;

    /**
     * {@code moved}: bytes moved (the stream idle timer); {@code ended}: the client ended its body; {@code keep}: a
     * copy is worth keeping (the route retries or mirrors); {@code overLimit}: the body crossed {@code maxBody}
     * (null: a stream without a cap).
     */
    RequestStream(HttpServerRequest request, HttpLimits limits, boolean keep, Runnable moved, Runnable ended,
                  Runnable overLimit) {
        this.kept = keep ? new java.util.ArrayList<>() : null;
        this.request = request;
        this.maxBody = limits.maxBody();
        this.retryBuffer = limits.retryBuffer();
        this.budget = limits.budget();
        this.moved = moved;
        this.ended = ended;
        this.overLimit = overLimit;
    }

    /**
     * Whether a forwarded request's body streams: gRPC's whenever there is one (its streams are bidirectional),
     * others' unless their length is declared and at most {@link #SMALL_BODY}. A small body takes the buffered path,
     * which sends head and body in one write instead of three, as does a request without one (no length and not
     * chunked on HTTP/1, a GET or HEAD without a length on HTTP/2) — told apart first, so a body-less request costs
     * no content-type lookup.
     */
    static boolean wanted(HttpServerRequest request, boolean hasLength, long declared) {
        if (hasLength) {
            return declared > SMALL_BODY || declared > 0 && isGrpc(request);
        }
        // A body of unknown length streams, gRPC or not.
        return request.version() == io.vertx.core.http.HttpVersion.HTTP_2
                ? request.method() != io.vertx.core.http.HttpMethod.GET
                        && request.method() != io.vertx.core.http.HttpMethod.HEAD
                : request.headers().contains("transfer-encoding");
    }

    /** gRPC proper (application/grpc, +proto, ;…), not gRPC-Web: a stream that may last for hours. */
    static boolean isGrpc(HttpServerRequest request) {
        String type = request.getHeader("content-type");
        return type != null && type.regionMatches(true, 0, "application/grpc", 0, 16)
                && (type.length() == 16 || type.charAt(16) == '+' || type.charAt(16) == ';');
    }

    void start() {
        request.handler(this::chunk);
        request.endHandler(v -> {
            done = true;
            if (closed) {
                return;
            }
            if (call != null) {
                call.endBody();
            }
            ended.run();
        });
    }

    private void chunk(Buffer chunk) {
        if (closed) {
            return; // the exchange is over: the rest is read and dropped, so the client is never left stalled
        }
        moved.run();
        relayed += chunk.length();
        if (overLimit != null && relayed > maxBody) {
            closed = true; // nothing more is relayed; release() follows with the exchange's end
            overLimit.run();
            return;
        }
        keep(chunk);
        if (call != null) {
            call.write(chunk);
            if (!call.writable()) {
                pause();
            }
        } else {
            early.add(chunk);
            if (early.size() >= QUEUED) {
                pause();
            }
        }
    }

    private void keep(Buffer chunk) {
        if (kept == null) {
            return;
        }
        // budgeted: the kept copy's bytes, taken from the node's budget.
        if (budgeted + chunk.length() > retryBuffer || !budget.take(chunk.length())) {
            budget.give(budgeted); // too long to keep: relayed only, and not retried
            budgeted = 0;
            kept = null;
            return;
        }
        budgeted += chunk.length();
        kept.add(chunk.getByteBuf());
    }

    /**
     * A try's call: what arrived so far goes to it, and the rest as it comes. The first try gets what waited for it;
     * a retry (the client still sending) gets the kept copy so far, as Envoy replays its buffer.
     */
    void attach(UpstreamCall c) {
        if (closed) {
            // The exchange ended while the call was being made (a pool that refuses at once answers the client in
            // send): nothing is left to write, and the kept copy is gone.
            return;
        }
        boolean retry = call != null;
        call = c;
        if (retry) {
            for (io.netty.buffer.ByteBuf b : kept) {
                c.write(Buffer.buffer(b));
            }
        } else {
            for (Buffer b; (b = early.poll()) != null; ) {
                c.write(b);
            }
        }
        if (done) {
            c.endBody();
        }
        writable();
    }

    /** Pauses the client until the next try is attached (a retry waiting out its backoff). */
    void hold() {
        if (!closed) {
            pause();
        }
    }

    /** The client has ended its body. */
    boolean ended() {
        return done;
    }

    /** Everything the client sent so far is kept: a failed try may be retried from it, while the client sends on. */
    boolean replayable() {
        return kept != null && !closed;
    }

    /** The upstream stream takes more again. */
    void writable() {
        if (paused && (call == null || call.writable())) {
            paused = false;
            request.resume();
        }
    }

    private void pause() {
        if (!paused) {
            paused = true;
            request.pause();
        }
    }

    /** The whole body, once the client ended it, if it was kept; else null (no retry, no mirror). */
    Buffer whole() {
        if (!done || kept == null) {
            return null;
        }
        if (whole == null) {
            // A composite over the chunks: nothing copied.
            whole = Buffer.buffer(io.netty.buffer.Unpooled.wrappedBuffer(kept.size(),
                    kept.toArray(io.netty.buffer.ByteBuf[]::new)));
        }
        return whole;
    }

    /**
     * The exchange is over: the kept copy's bytes go back to the node's budget (once: nothing is kept after), and the
     * client is never left paused; what it still sends is read and dropped.
     */
    void release() {
        closed = true;
        kept = null;
        early.clear();
        budget.give(budgeted);
        budgeted = 0;
        if (paused) {
            paused = false;
            request.resume();
        }
    }
}
