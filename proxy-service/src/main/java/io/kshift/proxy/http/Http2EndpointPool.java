package io.kshift.proxy.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.impl.VertxInternal;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/2 to one endpoint (gRPC, or a destination declared HTTP/2), owned by one event loop: one connection, every
 * call a stream on it, as Envoy multiplexes. Cleartext connections start with the HTTP/2 preface (prior knowledge,
 * as gRPC servers expect); TLS ones offer {@code h2} by ALPN. Calls made while the connection is being opened wait
 * for it. Streams beyond the server's {@code SETTINGS_MAX_CONCURRENT_STREAMS} wait in Netty's buffering encoder.
 * A connection the server is draining (GOAWAY) takes no new streams: the next call opens a fresh one. Streams are
 * reset one by one ({@code RST_STREAM}) when their calls are; the connection stays for the others.
 */
final class Http2EndpointPool implements UpstreamPool {
    private static final Exception CLOSED = new UpstreamCall.UpstreamException("upstream connection closed before"
            + " it was ready");
    /**
     * Flow control: each stream may have this much of its answer unread (a paused client holds only its own);
     * the connection as a whole 16 times that, so a few slow streams never stall the others (Netty's default makes
     * the connection's window one stream's).
     */
    static final int STREAM_WINDOW = 1 << 20;
    static final int CONNECTION_WINDOW = 16 * STREAM_WINDOW;
    /** Answer headers (and trailers) up to this size, as the HTTP/1.1 pools take (Netty's default is 8 KiB). */
    static final int MAX_HEADER_LIST = 65536;
    private final EventLoop loop;
    private final UpstreamPolicy policy;
    private final Bootstrap bootstrap;
    private final InetSocketAddress remote;
    private final ArrayDeque<UpstreamCall> waiting = new ArrayDeque<>();
    private final Runnable onEmpty;
    /** The connection streams open on; null before the first call and after it closes or drains. */
    private Channel connection;
    /** The connection being opened (TCP, then TLS): calls wait for it; null when none is. */
    private Channel opening;
    private boolean connecting;
    private int streams;
    private boolean draining;

    Http2EndpointPool(VertxInternal vertx, EventLoop loop, UpstreamPolicy policy, String host, int port,
                      Runnable onEmpty) {
        this.loop = loop;
        this.policy = policy;
        this.onEmpty = onEmpty;
        this.remote = InetSocketAddress.createUnresolved(host, port);
        this.bootstrap = UpstreamBootstrap.of(vertx, loop, policy, port, true, ch -> ch.pipeline().addLast(
                new IdleStateHandler(0, 0, policy.idleTimeoutSeconds(), TimeUnit.SECONDS),
                Http2FrameCodecBuilder.forClient().autoAckPingFrame(true).encoderEnforceMaxConcurrentStreams(true)
                        .initialSettings(io.netty.handler.codec.http2.Http2Settings.defaultSettings()
                                .pushEnabled(false).initialWindowSize(STREAM_WINDOW)
                                .maxHeaderListSize(MAX_HEADER_LIST))
                        .build(),
                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()),
                new ConnectionEvents(ch)));
    }

    @Override
    public void acquire(UpstreamCall call) {
        assert loop.inEventLoop() : "a pool is touched only on its own event loop";
        if (connection != null && connection.isActive()) {
            open(connection, call);
        } else {
            waiting.addLast(call);
            call.waiting(this);
            if (!connecting) {
                connect();
            }
        }
    }

    private void connect() {
        connecting = true;
        connection = null;
        ChannelFuture f = bootstrap.connect(remote);
        opening = f.channel();
        f.addListener(done -> {
            if (!done.isSuccess()) {
                failOpening(f.channel(), done.cause());
            }
            // On success the connection is ready at its channelActive (or TLS handshake), which ConnectionEvents
            // sees after this listener: only then has the codec sent the preface, which must go before any stream.
        });
    }

    /** The connection being opened failed: every waiting call fails as not sent (a connect failure). */
    private void failOpening(Channel channel, Throwable cause) {
        if (opening != channel) {
            return;
        }
        opening = null;
        connecting = false;
        UpstreamCall c;
        while ((c = waiting.pollFirst()) != null) {
            c.fail(cause, false);
        }
        emptied();
    }

    /** The connection is up and its preface sent: the waiting calls open their streams. */
    private void ready(Channel channel) {
        if (opening != channel) {
            return;
        }
        opening = null;
        connecting = false;
        connection = channel;
        UpstreamCall c;
        while ((c = waiting.pollFirst()) != null) {
            if (!c.isOver()) {
                open(channel, c);
            }
        }
        closeIfDrained();
        emptied();
    }

    private void open(Channel parent, UpstreamCall call) {
        new Http2StreamChannelBootstrap(parent).handler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
                // Counted once registered (synchronously, on this loop), so exactly the streams that will close.
                streams++;
                ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false),
                        new UpstreamConnection(Http2EndpointPool.this, false));
            }
        }).open().addListener(done -> {
            if (!done.isSuccess()) {
                call.fail(done.cause(), false);
                emptied();
                return;
            }
            Http2StreamChannel stream = (Http2StreamChannel) done.getNow();
            UpstreamConnection c = stream.pipeline().get(UpstreamConnection.class);
            if (call.isOver()) {
                stream.close();
            } else {
                c.dispatch(call);
            }
        });
    }

    /** A stream carried its call to the end: it is closed (both sides ended it); nothing goes back to a pool. */
    @Override
    public void release(UpstreamConnection c) {
        c.close();
    }

    @Override
    public void closed(UpstreamConnection c) {
        streams--;
        closeIfDrained();
        emptied();
    }

    @Override
    public void drain() {
        draining = true;
        closeIfDrained();
    }

    /** A retired pool's connection closes once no stream is open on it and no call waits for it. */
    private void closeIfDrained() {
        if (draining && streams == 0 && waiting.isEmpty() && connection != null) {
            connection.close();
        }
    }

    @Override
    public void cancel(UpstreamCall call) {
        waiting.remove(call);
    }

    private void emptied() {
        if (streams == 0 && waiting.isEmpty() && !connecting && (connection == null || !connection.isActive())) {
            onEmpty.run();
        }
    }

    /** The connection's own events: closed, drained by the server, or idle with no stream open. */
    private final class ConnectionEvents extends ChannelInboundHandlerAdapter {
        private final Channel channel;

        ConnectionEvents(Channel channel) {
            this.channel = channel;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2GoAwayFrame && connection == channel) {
                connection = null; // streams already open finish on it; new ones go to a fresh connection
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            widenConnectionWindow(ctx);
            if (policy.tls() == null) {
                ready(channel);
            }
            ctx.fireChannelActive();
        }

        /** The connection's receive window grows from the protocol's 64 KiB to {@link #CONNECTION_WINDOW}. */
        private void widenConnectionWindow(ChannelHandlerContext ctx) throws Exception {
            var codec = ctx.pipeline().get(io.netty.handler.codec.http2.Http2FrameCodec.class);
            var http2 = codec.connection();
            int now = http2.local().flowController().initialWindowSize(http2.connectionStream());
            if (CONNECTION_WINDOW > now) {
                http2.local().flowController().incrementWindowSize(http2.connectionStream(), CONNECTION_WINDOW - now);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (connection == channel) {
                connection = null;
            }
            // Closed while being opened (a TLS handshake refused): its waiting calls were never sent.
            failOpening(channel, CLOSED);
            emptied();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof IdleStateEvent && streams == 0) {
                channel.close();
            } else if (event instanceof io.netty.handler.ssl.SslHandshakeCompletionEvent handshake) {
                if (handshake.isSuccess()) {
                    ready(channel);
                } else {
                    failOpening(channel, handshake.cause());
                    channel.close();
                }
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            channel.close();
        }
    }
}
