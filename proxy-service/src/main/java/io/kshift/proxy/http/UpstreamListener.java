package io.kshift.proxy.http;

import io.netty.handler.codec.http.HttpResponse;
import io.vertx.core.buffer.Buffer;

/**
 * What one request sent upstream hears back, on the event loop that sent it: the response head (interim 1xx
 * answers are skipped), its body in order, then exactly one of {@code end} or {@code failed}.
 */
interface UpstreamListener {
    /**
     * The request goes out on a ready connection (Envoy's pool-ready): the time it waited in the pool's queue, for a
     * connect or TLS handshake, or for a free HTTP/2 stream is behind it.
     */
    default void ready() {
    }

    void head(HttpResponse head);

    void chunk(Buffer chunk);

    /**
     * {@code last}: the answer's final bytes when they came with its end (a small sized body), else null;
     * {@code trailers}: its trailers (gRPC's status is there), empty when it has none.
     */
    void end(Buffer last, io.netty.handler.codec.http.HttpHeaders trailers);

    /**
     * {@code sent}: the request had a connection and went (or was going) out on it; false when no connection was
     * had (connect failure, pool overflow, reset while waiting). Also after the head, when the body breaks off.
     */
    void failed(Throwable cause, boolean sent);

    /** A streaming body's connection takes more again (after {@link UpstreamCall#writable()} said no). */
    default void writable() {
    }
}
