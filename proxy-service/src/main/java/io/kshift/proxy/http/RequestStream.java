package io.kshift.proxy.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayDeque;

/**
 * A gRPC request's body, relayed to the first try as it arrives instead of held until the client ends it (so
 * bidirectional streams work: the server answers while the client still sends), with backpressure both ways: the
 * client is paused while the upstream stream cannot take more. A copy is kept, up to the request body limit and
 * within the node's buffer budget, so a call that failed before its answer can be retried and mirrored once the
 * client has ended it; a longer body is relayed but not kept, and its call is not retried (Envoy's rule: a retry
 * needs the whole request buffered). On the request's event loop.
 */
final class RequestStream {
    /** Chunks held while the first try has no call or connection yet: the client is paused beyond them. */
    static final int QUEUED = 16;

    private final HttpServerRequest request;
    private final long maxBody;
    private final BodyBudget budget;
    private final Runnable moved;
    private final Runnable ended;
    private final ArrayDeque<Buffer> early = new ArrayDeque<>();
    private Buffer kept;
    private long budgeted;
    private UpstreamCall call;
    private boolean done;
    private boolean paused;
    private boolean closed;

    /**
     * {@code moved}: bytes moved (the stream idle timer); {@code ended}: the client ended its body; {@code keep}: a
     * copy is worth keeping (the route retries or mirrors).
     */
    RequestStream(HttpServerRequest request, long maxBody, BodyBudget budget, boolean keep, Runnable moved,
                  Runnable ended) {
        this.kept = keep ? Buffer.buffer() : null;
        this.request = request;
        this.maxBody = maxBody;
        this.budget = budget;
        this.moved = moved;
        this.ended = ended;
    }

    void start() {
        request.handler(this::chunk);
        request.endHandler(v -> {
            done = true;
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
        if (kept.length() + (long) chunk.length() > maxBody || !budget.take(chunk.length())) {
            budget.give(budgeted); // too long to keep: relayed only, and not retried
            budgeted = 0;
            kept = null;
            return;
        }
        budgeted += chunk.length();
        kept.appendBuffer(chunk);
    }

    /** The first try's call: what arrived so far goes to it, and the rest as it comes. */
    void attach(UpstreamCall c) {
        call = c;
        for (Buffer b; (b = early.poll()) != null; ) {
            c.write(b);
        }
        if (done) {
            c.endBody();
        }
        writable();
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
        return done ? kept : null;
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
