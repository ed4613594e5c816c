package io.kshift.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.buffer.Buffer;

/**
 * One HTTP/1.1 connection to an endpoint, the last handler of its pipeline (after Netty's client codec): carries
 * one {@link UpstreamCall} at a time and goes back to its pool when both the request and the answer are complete
 * and both sides allow keep-alive. Interim 1xx answers (100 Continue) are skipped. Also one HTTP/2 stream (after
 * Netty's frame-to-HTTP codec on the stream's channel), which carries one call and ends with it.
 */
final class UpstreamConnection extends ChannelInboundHandlerAdapter {
    private static final Exception CLOSED = new UpstreamCall.UpstreamException("upstream connection closed");

    private final UpstreamPool pool;
    private final boolean keepAliveAllowed;
    private Channel channel;
    private UpstreamCall call;
    private boolean keepAlive;
    private boolean written;
    private boolean answered;
    private boolean interim;
    private Throwable cause;
    /** HTTP/2: the server refused the stream (REFUSED_STREAM, or past a GOAWAY): the request was not processed. */
    private boolean refused;
    /** TLS to the upstream failed to start: the request never left (the handler fails what it held later). */
    private boolean handshakeFailed;
    /** A streaming call's head is on its way: body chunks may follow it. */
    private boolean headSent;
    /** A streaming call's body end was written (or is being). */
    private boolean bodyEnding;

    /** When this connection may carry no more requests ({@code maxConnectionDuration}; Long.MAX_VALUE: never). */
    private final long maxAgeNanos;
    private long openedAt;

    UpstreamConnection(UpstreamPool pool, boolean keepAliveAllowed) {
        this(pool, keepAliveAllowed, 0);
    }

    UpstreamConnection(UpstreamPool pool, boolean keepAliveAllowed, long maxAgeMillis) {
        this.pool = pool;
        this.keepAliveAllowed = keepAliveAllowed;
        this.maxAgeNanos = maxAgeMillis <= 0 ? Long.MAX_VALUE : maxAgeMillis * 1_000_000L;
    }

    /** Open, and younger than the destination's {@code maxConnectionDuration}: it may take another request. */
    boolean usable() {
        return channel != null && channel.isActive()
                && (maxAgeNanos == Long.MAX_VALUE || System.nanoTime() - openedAt < maxAgeNanos);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        openedAt = System.nanoTime();
    }

    void dispatch(UpstreamCall c) {
        call = c;
        written = false;
        answered = false;
        interim = false;
        c.connected(this);
        var request = c.request();
        if (!keepAliveAllowed && request instanceof io.netty.handler.codec.http.FullHttpRequest full) {
            // One request per connection (maxRequestsPerConnection: 1), said on a copy: the caller's headers are
            // shared with its mirrors and later tries (and Netty's HTTP/2 conversion writes into them).
            request = full.replace(full.content());
            HttpUtil.setKeepAlive(request, false);
        } else if (!keepAliveAllowed) {
            HttpUtil.setKeepAlive(request, false); // a streaming head's headers are its own copy
        }
        keepAlive = keepAliveAllowed && HttpUtil.isKeepAlive(request);
        boolean streaming = c.streaming();
        headSent = streaming;
        bodyEnding = false;
        // Ready, as Envoy's pool-ready: a plain HTTP/1 connection now; over TLS once its handshake is done; an HTTP/2
        // stream once its head has gone (the server may hold it back until it allows another stream). Not when a
        // whole body has gone: an upstream that stops reading one would never be timed.
        boolean stream = channel instanceof io.netty.handler.codec.http2.Http2StreamChannel;
        io.netty.handler.ssl.SslHandler tls = stream ? null : channel.pipeline().get(io.netty.handler.ssl.SslHandler.class);
        if (tls != null) {
            tls.handshakeFuture().addListener(h -> {
                if (h.isSuccess()) {
                    c.ready();
                }
            });
        } else if (!stream) {
            c.ready();
        }
        channel.writeAndFlush(request).addListener(f -> {
            if (stream && f.isSuccess()) {
                c.ready();
            }
            if (!f.isSuccess()) {
                if (!handshakeFailed) { // else the write failed for the handshake, whose cause is kept
                    cause = f.cause();
                }
                // HTTP/2: the connection was draining or closed before the stream went out (a stream channel wraps
                // the encoder's exception in a ClosedChannelException: the chain is read).
                refused = neverSent(cause);
                channel.close();
            } else if (!streaming) {
                written = true;
                if (answered && call == null) {
                    recycle();
                }
            }
        });
        if (streaming) {
            c.headSent(this); // its body so far follows the head; the rest as it comes
        }
    }

    /** The head of a streaming call was written: its body may follow. */
    boolean headSent() {
        return headSent;
    }

    void writeBody(io.vertx.core.buffer.Buffer chunk) {
        // Lent, not given: the chunk is Vert.x's heap copy of what the client sent (the kept copy for retries has its
        // own), and Netty releases what it writes (it copies heap bytes to a pooled direct buffer for the socket).
        channel.writeAndFlush(new io.netty.handler.codec.http.DefaultHttpContent(
                io.netty.buffer.Unpooled.unreleasableBuffer(chunk.getByteBuf())));
    }

    void endBody() {
        bodyEnding = true;
        channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(f -> {
            if (!f.isSuccess()) {
                cause = f.cause();
                channel.close();
            } else {
                written = true;
                if (answered && call == null) {
                    recycle();
                }
            }
        });
    }

    boolean writable() {
        return channel.isWritable();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        UpstreamCall c = call;
        if (c != null && channel.isWritable()) {
            c.writableAgain();
        }
        ctx.fireChannelWritabilityChanged();
    }

    /** The call gave up: what is left of its answer would arrive unasked, so the connection goes. */
    void abandon(UpstreamCall c) {
        if (call == c) {
            call = null;
            channel.close();
        }
    }

    private static boolean neverSent(Throwable cause) {
        for (Throwable c = cause; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof io.netty.handler.codec.http2.StreamBufferingEncoder.Http2GoAwayException
                    || c instanceof io.netty.handler.codec.http2.StreamBufferingEncoder.Http2ChannelClosedException) {
                return true;
            }
        }
        return false;
    }

    void close() {
        channel.close();
    }

    void autoRead(boolean on) {
        channel.config().setAutoRead(on);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            read(msg);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void read(Object msg) {
        UpstreamCall c = call;
        if (c == null) {
            channel.close(); // an answer nobody asked for (or the rest of an abandoned one)
            return;
        }
        if (msg instanceof HttpResponse head) {
            if (head.decoderResult().isFailure()) {
                cause = head.decoderResult().cause();
                channel.close();
                return;
            }
            int status = head.status().code();
            interim = status >= 100 && status < 200 && status != 101;
            if (!interim) {
                if (!HttpUtil.isKeepAlive(head)) {
                    keepAlive = false;
                }
                c.head(head);
            }
        }
        if (msg instanceof HttpContent content) {
            if (content.decoderResult().isFailure()) {
                cause = content.decoderResult().cause();
                channel.close();
                return;
            }
            if (interim) {
                interim = !(msg instanceof LastHttpContent);
                return;
            }
            // A heap copy: the answer is written on through Vert.x, which cannot release pooled buffers.
            Buffer bytes = content.content().isReadable()
                    ? Buffer.buffer(io.vertx.core.net.impl.VertxHandler.safeBuffer(content.content().retain())) : null;
            if (!(msg instanceof LastHttpContent)) {
                if (bytes != null) {
                    c.chunk(bytes);
                }
            } else {
                // A sized body's last bytes come with its end: one write to the client instead of two.
                answered = true;
                call = null;
                c.end(bytes, ((LastHttpContent) msg).trailingHeaders());
                if (written) {
                    recycle();
                } else if (headSent && !bodyEnding) {
                    // Answered while the client still streams its body: the rest is not wanted (the stream is reset).
                    channel.close();
                }
            }
        }
    }

    private void recycle() {
        if (keepAlive && channel.isActive()) {
            channel.config().setAutoRead(true);
            pool.release(this);
        } else {
            channel.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        UpstreamCall c = call;
        call = null;
        if (c != null) {
            // A refused stream was not processed: retried as a connect failure is (Envoy's refused-stream).
            c.fail(cause != null ? cause : CLOSED, !refused && !handshakeFailed);
        }
        pool.closed(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable e) {
        cause = e;
        channel.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent && call == null) {
            channel.close(); // idle in the pool for the policy's idle timeout
        } else if (event instanceof io.netty.handler.codec.http2.Http2ResetFrame reset) {
            refused = reset.errorCode() == io.netty.handler.codec.http2.Http2Error.REFUSED_STREAM.code();
            cause = new UpstreamCall.UpstreamException("upstream reset the stream (HTTP/2 error "
                    + reset.errorCode() + ")");
        } else if (event instanceof io.netty.handler.ssl.SslHandshakeCompletionEvent handshake
                && !handshake.isSuccess()) {
            // The TLS handler held the request: nothing of it left, so a connect failure, as Envoy counts it
            // (retried under connect-failure, flag UF), not a reset after sending.
            handshakeFailed = true;
            if (cause == null) { // a reset read before it says more than the handler's closed-channel exception
                cause = handshake.cause();
            }
        } else if (event instanceof io.netty.handler.codec.http2.Http2GoAwayFrame goAway) {
            // Delivered to streams past the server's last stream id: never processed.
            refused = true;
            cause = new UpstreamCall.UpstreamException("upstream is going away (GOAWAY)");
            goAway.release();
        }
    }
}
