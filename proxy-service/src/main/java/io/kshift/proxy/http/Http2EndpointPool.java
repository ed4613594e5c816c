package io.kshift.proxy.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
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
    private final EventLoop loop;
    private final UpstreamPolicy policy;
    private final Bootstrap bootstrap;
    private final InetSocketAddress remote;
    private final ArrayDeque<UpstreamCall> waiting = new ArrayDeque<>();
    private final Runnable onEmpty;
    /** The connection streams open on; null before the first call and after it closes or drains. */
    private Channel connection;
    private boolean connecting;
    private int streams;

    Http2EndpointPool(VertxInternal vertx, EventLoop loop, UpstreamPolicy policy, String host, int port,
                      Runnable onEmpty) {
        this.loop = loop;
        this.policy = policy;
        this.onEmpty = onEmpty;
        this.remote = InetSocketAddress.createUnresolved(host, port);
        this.bootstrap = UpstreamBootstrap.of(vertx, loop, policy, port, true, ch -> ch.pipeline().addLast(
                new IdleStateHandler(0, 0, policy.idleTimeoutSeconds(), TimeUnit.SECONDS),
                Http2FrameCodecBuilder.forClient().autoAckPingFrame(true).encoderEnforceMaxConcurrentStreams(true)
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
        bootstrap.connect(remote).addListener(done -> {
            if (!done.isSuccess()) {
                connecting = false;
                UpstreamCall c;
                while ((c = waiting.pollFirst()) != null) {
                    c.fail(done.cause(), false);
                }
                emptied();
            }
            // On success the connection is ready at its channelActive (ConnectionEvents), which comes after this
            // listener: only then has the codec sent the preface, which must go before any stream.
        });
    }

    /** The connection is up and its preface sent: the waiting calls open their streams. */
    private void ready(Channel channel) {
        connecting = false;
        connection = channel;
        UpstreamCall c;
        while ((c = waiting.pollFirst()) != null) {
            if (!c.isOver()) {
                open(channel, c);
            }
        }
        emptied();
    }

    private void open(Channel parent, UpstreamCall call) {
        streams++;
        new Http2StreamChannelBootstrap(parent).handler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
                ch.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false),
                        new UpstreamConnection(Http2EndpointPool.this, false));
            }
        }).open().addListener(done -> {
            if (!done.isSuccess()) {
                streams--;
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
        emptied();
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
        public void channelActive(ChannelHandlerContext ctx) {
            ready(channel);
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (connection == channel) {
                connection = null;
            }
            if (connecting && waiting.isEmpty() == false && connection == null) {
                // Closed before it was ever ready (the handshake failed): the waiting calls fail with it.
                connecting = false;
                UpstreamCall c;
                while ((c = waiting.pollFirst()) != null) {
                    c.fail(CLOSED, false);
                }
            }
            emptied();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof IdleStateEvent && streams == 0) {
                channel.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            channel.close();
        }
    }
}
