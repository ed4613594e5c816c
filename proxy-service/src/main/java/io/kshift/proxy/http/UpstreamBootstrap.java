package io.kshift.proxy.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.vertx.core.impl.VertxInternal;
import java.util.function.Consumer;

/**
 * How a pool's connections to an endpoint are made, whatever they speak: on the pool's loop with Vert.x's transport
 * and resolver, no Nagle, the policy's connect timeout (for the TLS handshake too) and TCP keepalive, TLS first when
 * the policy originates it ({@code h2}: offering HTTP/2 by ALPN), then the protocol's handlers ({@code protocol}).
 */
final class UpstreamBootstrap {
    private UpstreamBootstrap() {
    }

    static Bootstrap of(VertxInternal vertx, EventLoop loop, UpstreamPolicy policy, int port, boolean h2,
                        Consumer<SocketChannel> protocol) {
        return new Bootstrap().group(loop)
                .channelFactory(vertx.transport().channelFactory(false))
                .resolver(vertx.nettyAddressResolverGroup())
                .option(ChannelOption.TCP_NODELAY, true)
                // Pooled, so UpstreamConnection's heap copy of each answer chunk is always a copy (Vert.x's
                // safeBuffer hands unpooled buffers through as they are, and nobody would release them).
                .option(ChannelOption.ALLOCATOR, io.netty.buffer.PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) Math.min(Integer.MAX_VALUE, Math.max(1, policy.connectTimeout().toMillis())))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (policy.keepalive() != null) {
                            io.kshift.proxy.routing.TcpKeepalives.apply(policy.keepalive(), ch);
                        }
                        if (policy.tls() != null) {
                            io.netty.handler.ssl.SslHandler tls = policy.tls().handler(ch.alloc(), port, h2);
                            // An endpoint that takes the connection and never answers the handshake is given up
                            // as a connect failure would be, not after Netty's default 10 s while requests wait.
                            tls.setHandshakeTimeoutMillis(Math.max(1, policy.connectTimeout().toMillis()));
                            ch.pipeline().addLast("kshift-tls", tls);
                        }
                        protocol.accept(ch);
                    }
                });
    }
}
