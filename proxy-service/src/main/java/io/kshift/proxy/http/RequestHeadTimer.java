package io.kshift.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.TCPServerBase;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Envoy's {@code request_headers_timeout} on HTTP/1 connections: armed by the first byte of a request's head,
 * disarmed at its blank line; on expiry the client gets 408 and the connection closes, so a client dribbling a head
 * byte by byte (slowloris) holds a connection for at most this long.
 *
 * <p>Why on raw bytes, first in the pipeline: with cleartext HTTP/2 enabled Vert.x creates an HTTP/1 connection
 * (and calls the server's connection handler) only once a whole request head has been decoded, so a handler added
 * there never sees a head that does not end. Each accepted channel gets this handler from a hook on the listening
 * channel; it finds the head's end itself (two line feeds, carriage returns ignored, as the decoder reads it) and
 * learns a request's end from a partner after Vert.x's decoder, added once the connection exists. Until then (the
 * first request) and on HTTP/2 it stays disarmed after the first head: it never cuts a request in progress.
 */
final class RequestHeadTimer {
    private static final byte[] TIMED_OUT = "HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    private static final String START = "kshift-head-start";
    private static final String HOOK = "kshift-head-hook";
    private static final String DECODER = "httpDecoder";
    private static final int IDLE = 0;
    private static final int HEAD = 1;
    private static final int REQUEST = 2;

    private final long millis;
    private final LongAdder timedOut;
    private int state = IDLE;
    private int lineFeeds;
    private ScheduledFuture<?> timer;

    private RequestHeadTimer(long millis, LongAdder timedOut) {
        this.millis = millis;
        this.timedOut = timedOut;
    }

    /** Gives every channel {@code server} accepts from now on a timer; false when Vert.x's internals did not allow it. */
    static boolean hook(HttpServer server, long millis, LongAdder timedOut) {
        if (millis <= 0) {
            return true;
        }
        Channel listening;
        try {
            var actual = TCPServerBase.class.getDeclaredField("actualServer");
            var bind = TCPServerBase.class.getDeclaredField("bindFuture");
            actual.setAccessible(true);
            bind.setAccessible(true);
            Object main = actual.get(server);
            @SuppressWarnings("unchecked")
            var bound = (io.vertx.core.Future<Channel>) bind.get(main == null ? server : main);
            listening = bound.result();
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
        synchronized (RequestHeadTimer.class) {
            if (listening.pipeline().get(HOOK) == null) {
                listening.pipeline().addFirst(HOOK, new Hook(millis, timedOut));
            }
        }
        return true;
    }

    /** Once Vert.x made the HTTP/1 connection: the partner that sees decoded heads and request ends. */
    static void connected(HttpConnection connection) {
        if (connection instanceof ConnectionBase base) {
            ChannelPipeline pipeline = base.channelHandlerContext().pipeline();
            ChannelHandler start = pipeline.get(START);
            if (start instanceof Start s && pipeline.get(DECODER) != null) {
                pipeline.addAfter(DECODER, "kshift-head-end", s.owner().new End());
            }
        }
    }

    /**
     * For a connection over TLS that speaks HTTP/1 (ALPN or none chose it): the timer goes between the TLS handler
     * and the decoder, where the bytes are plaintext, from the connection's first request on (HTTP/2 has no
     * decoder here and is left alone).
     */
    static void connectedTls(HttpConnection connection, long millis, LongAdder timedOut) {
        if (millis <= 0 || !(connection instanceof ConnectionBase base)) {
            return;
        }
        ChannelPipeline pipeline = base.channelHandlerContext().pipeline();
        if (pipeline.get(DECODER) == null || pipeline.get(START) != null) {
            return;
        }
        RequestHeadTimer timer = new RequestHeadTimer(millis, timedOut);
        pipeline.addBefore(DECODER, START, timer.new Start());
        pipeline.addAfter(DECODER, "kshift-head-end", timer.new End());
    }

    /**
     * Takes the timer off a connection that stops speaking HTTP/1 (an upgrade tunnel): its bytes are not request
     * heads, and a timer armed by them would cut the tunnel.
     */
    static void detach(ChannelPipeline pipeline) {
        ChannelHandler start = pipeline.get(START);
        if (start instanceof Start s) {
            s.owner().cancel();
            pipeline.remove(START);
        }
        if (pipeline.get("kshift-head-end") != null) {
            pipeline.remove("kshift-head-end");
        }
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @ChannelHandler.Sharable
    private static final class Hook extends ChannelInboundHandlerAdapter {
        private final long millis;
        private final LongAdder timedOut;

        Hook(long millis, LongAdder timedOut) {
            this.millis = millis;
            this.timedOut = timedOut;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Channel accepted) {
                accepted.pipeline().addFirst(START, new RequestHeadTimer(millis, timedOut).new Start());
            }
            ctx.fireChannelRead(msg);
        }
    }

    private final class Start extends ChannelInboundHandlerAdapter {
        RequestHeadTimer owner() {
            return RequestHeadTimer.this;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf bytes && state != REQUEST) {
                int from = bytes.readerIndex();
                if (state == IDLE) {
                    // Empty lines between requests are allowed (RFC 9112 2.2): a head starts at its first other byte.
                    from = bytes.forEachByte(b -> b == '\r' || b == '\n');
                    if (from >= 0) {
                        state = HEAD;
                        lineFeeds = 0;
                    }
                }
                if (from >= 0) {
                    scan(bytes, from);
                    // Only a head that did not arrive whole costs a timer.
                    if (state == HEAD && timer == null) {
                        timer = ctx.executor().schedule(() -> expire(ctx), millis, TimeUnit.MILLISECONDS);
                    }
                }
            }
            ctx.fireChannelRead(msg);
        }

        /** The head ends at an empty line: two line feeds with nothing but carriage returns between them. */
        private void scan(ByteBuf bytes, int from) {
            for (int i = from; i < bytes.writerIndex(); i++) {
                byte b = bytes.getByte(i);
                if (b == '\n') {
                    if (++lineFeeds == 2) {
                        cancel();
                        state = REQUEST;
                        return;
                    }
                } else if (b != '\r') {
                    lineFeeds = 0;
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            cancel();
            ctx.fireChannelInactive();
        }

        private void expire(ChannelHandlerContext ctx) {
            timer = null;
            if (state != HEAD) {
                return;
            }
            timedOut.increment();
            // Written from here, below the encoder: raw bytes, whatever state the decoder is in.
            ctx.writeAndFlush(Unpooled.wrappedBuffer(TIMED_OUT)).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private final class End extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest) {
                cancel();
                state = REQUEST;
            }
            if (msg instanceof LastHttpContent) {
                state = IDLE;
            }
            ctx.fireChannelRead(msg);
        }
    }
}
