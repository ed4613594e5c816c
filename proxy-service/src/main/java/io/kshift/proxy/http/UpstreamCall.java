package io.kshift.proxy.http;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpResponse;
import io.vertx.core.buffer.Buffer;

/**
 * One request through an {@link EndpointPool} or an {@link Http2EndpointPool}: the exchange's handle to reset it or pause its response, and the
 * pool's way back to the exchange. Its state belongs to the pool's event loop; the listener hears on the caller's
 * loop. They are the same loop unless the pool is node-wide (a policy with connection limits), and then every
 * crossing is one task on the other loop, in order.
 */
final class UpstreamCall {
    /** A reset by the exchange (its client left, a timeout fired): no stack, it is not an error of ours. */
    static final Exception RESET = new UpstreamException("request reset by the proxy");

    private final EventLoop caller;
    private final UpstreamListener listener;
    /** The whole request, or only its head when the body streams ({@link #write}, {@link #endBody}). */
    private final io.netty.handler.codec.http.HttpRequest request;
    /** Body chunks written before the call had its connection (pool-loop state). */
    private java.util.ArrayDeque<Buffer> body;
    private boolean bodyEnded;
    private EventLoop poolLoop;
    /** Pool-loop state. */
    private UpstreamPool waitingIn;
    private UpstreamConnection connection;
    private boolean over;
    /**
     * Whether more streamed body may be written: set on the pool's loop after each write, read on the caller's (for a
     * node-wide pool they differ). It turns true again only with a {@link UpstreamListener#writable} event after it.
     */
    private volatile boolean writable = true;

    UpstreamCall(EventLoop caller, io.netty.handler.codec.http.FullHttpRequest request, UpstreamListener listener) {
        this.caller = caller;
        this.request = request;
        this.listener = listener;
    }

    /** A call whose body streams: {@code head} goes first, then what {@link #write} and {@link #endBody} give. */
    UpstreamCall(EventLoop caller, io.netty.handler.codec.http.HttpRequest head, UpstreamListener listener,
                 boolean streaming) {
        this.caller = caller;
        this.request = head;
        this.listener = listener;
        this.body = new java.util.ArrayDeque<>();
    }

    io.netty.handler.codec.http.HttpRequest request() {
        return request;
    }

    boolean streaming() {
        return body != null;
    }

    /** A chunk of a streaming body: sent when the call has its connection, queued until then. */
    void write(Buffer chunk) {
        onPoolLoop(() -> {
            if (over) {
                return;
            }
            if (connection != null && connection.headSent()) {
                connection.writeBody(chunk);
                writable = connection.writable();
            } else {
                body.add(chunk);
                writable = body.size() < RequestStream.QUEUED;
            }
        });
    }

    void endBody() {
        onPoolLoop(() -> {
            if (over || bodyEnded) {
                return;
            }
            bodyEnded = true;
            if (connection != null && connection.headSent()) {
                connection.endBody();
            }
        });
    }

    /** Whether more body may be written now (read on the caller's loop). */
    boolean writable() {
        return writable;
    }

    /** Pool loop: the head went out; what was queued follows. */
    void headSent(UpstreamConnection c) {
        for (Buffer b; (b = body.poll()) != null; ) {
            c.writeBody(b);
        }
        if (bodyEnded) {
            c.endBody();
        }
        writable = c.writable();
        if (writable) {
            writableAgain(); // a client paused on the queue resumes (a fresh stream may never change writability)
        }
    }

    /** Pool loop: the connection takes more body again. */
    void writableAgain() {
        writable = true;
        if (!over) {
            deliver(listener::writable);
        }
    }

    /** Called by the exchange: ends the call now (failed, with {@link #RESET}) and drops its connection if any. */
    void reset() {
        onPoolLoop(this::doReset);
    }

    /** Backpressure: stop reading the response until {@link #resume()}. */
    void pause() {
        onPoolLoop(() -> autoRead(false));
    }

    void resume() {
        onPoolLoop(() -> autoRead(true));
    }

    // ---- pool loop ----

    void poolLoop(EventLoop loop) {
        this.poolLoop = loop;
    }

    boolean isOver() {
        return over;
    }

    void waiting(UpstreamPool pool) {
        waitingIn = pool;
    }

    void connected(UpstreamConnection c) {
        waitingIn = null;
        connection = c;
    }

    /** The request goes out on a ready connection: a plain or handshaken HTTP/1 one, or an open HTTP/2 stream. */
    void ready() {
        if (!over) {
            deliver(listener::ready);
        }
    }

    void head(HttpResponse head) {
        if (!over) {
            deliver(() -> listener.head(head));
        }
    }

    void chunk(Buffer chunk) {
        if (!over) {
            deliver(() -> listener.chunk(chunk));
        }
    }

    void end(Buffer last, io.netty.handler.codec.http.HttpHeaders trailers) {
        if (!over) {
            over = true;
            connection = null;
            deliver(() -> listener.end(last, trailers));
        }
    }

    void fail(Throwable cause, boolean sent) {
        if (!over) {
            over = true;
            connection = null;
            waitingIn = null;
            deliver(() -> listener.failed(cause, sent));
        }
    }

    private void doReset() {
        if (over) {
            return;
        }
        UpstreamConnection c = connection;
        if (waitingIn != null) {
            waitingIn.cancel(this);
        }
        if (c != null) {
            c.abandon(this);
        }
        fail(RESET, c != null);
    }

    private void autoRead(boolean on) {
        UpstreamConnection c = connection;
        if (c != null) {
            c.autoRead(on);
        }
    }

    private void onPoolLoop(Runnable task) {
        EventLoop loop = poolLoop;
        if (loop == null || loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }

    private void deliver(Runnable event) {
        if (caller.inEventLoop()) {
            event.run();
        } else {
            caller.execute(event);
        }
    }

    /** A failure without a stack trace: these are outcomes of traffic, counted, not bugs to trace. */
    static final class UpstreamException extends Exception {
        UpstreamException(String message) {
            super(message, null, false, false);
        }
    }
}
