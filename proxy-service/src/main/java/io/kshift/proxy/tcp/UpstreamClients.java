package io.kshift.proxy.tcp;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.NetUtil;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.NetSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Connections toward upstream endpoints, made on the calling event loop by a Netty bootstrap kept per loop, connect
 * timeout and kind of address, with Vert.x's transport; the connected channel is handed over bare (the TCP relay
 * puts its own handlers on it) or as an ordinary Vert.x {@link NetSocket} ({@link LoopAcceptor#attach}, for HTTP
 * upgrade tunnels). Vert.x's own client set six socket options to their defaults on
 * every connection and wrapped each connect in three promises (and counted bytes for client metrics nobody reads):
 * ~7 % of a proxy's CPU when connections are short. An IP address is connected as it is, with no resolver (whose
 * lookup takes a lock); a host name goes through Vert.x's resolver group, as with Vert.x's client: its asynchronous
 * DNS resolver ({@code quarkus.vertx.use-async-dns}, on in application.properties), never a lookup that blocks the
 * loop.
 */
public final class UpstreamClients {
    private final VertxInternal vertx;
    private final Map<Key, Bootstrap> bootstraps = new ConcurrentHashMap<>();

    private record Key(EventLoop loop, Duration timeout, boolean byName, boolean ipv4) {
    }

    /** Bootstrap insists on a handler; the real ones go in once the channel is connected. */
    @ChannelHandler.Sharable
    private static final class NoHandler extends ChannelHandlerAdapter {
        static final NoHandler INSTANCE = new NoHandler();
    }

    public UpstreamClients(Vertx vertx) {
        this.vertx = (VertxInternal) vertx;
    }

    /** Connects {@code host:port} on the current event loop's context (the caller's). */
    public Future<NetSocket> connect(Duration connectTimeout, String host, int port) {
        return connect((ContextInternal) vertx.getOrCreateContext(), connectTimeout, host, port);
    }

    /** Connects {@code host:port}; the socket belongs to {@code context}, on whose loop this must be called. */
    public Future<NetSocket> connect(ContextInternal context, Duration connectTimeout, String host, int port) {
        Promise<NetSocket> connected = context.promise();
        connect(context.nettyEventLoop(), connectTimeout, host, port).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                LoopAcceptor.attach(context, f.channel(), connected::complete);
            } else {
                connected.fail(f.cause());
            }
        });
        return connected.future();
    }

    /**
     * Connects {@code host:port} on {@code loop} (the caller's) as a bare channel: empty pipeline, reading on. Its
     * listeners run on the loop before {@code channelActive} fires (which starts reading), so they can install
     * handlers before a byte is read.
     */
    ChannelFuture connect(EventLoop loop, Duration connectTimeout, String host, int port) {
        InetAddress ip = NetUtil.createInetAddressFromIpAddressString(host);
        InetSocketAddress address = ip != null ? new InetSocketAddress(ip, port)
                : InetSocketAddress.createUnresolved(host, port);
        Bootstrap bootstrap = bootstraps.computeIfAbsent(new Key(loop, connectTimeout, ip == null,
                ip instanceof java.net.Inet4Address), this::bootstrap);
        return bootstrap.connect(address).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                f.channel().pipeline().remove(NoHandler.INSTANCE);
            }
        });
    }

    private Bootstrap bootstrap(Key key) {
        Bootstrap b = new Bootstrap()
                .group(key.loop())
                .channelFactory(channels(key))
                // No TCP_NODELAY here: Netty turns Nagle off on every socket it makes already.
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        key.timeout().toMillis()))
                .handler(NoHandler.INSTANCE);
        return key.byName() ? b.resolver(vertx.nettyAddressResolverGroup()) : b.disableResolver();
    }

    /**
     * An IPv4 endpoint gets an IPv4 socket: epoll's default is a dual-stack IPv6 socket, which costs a
     * {@code setsockopt(IPV6_V6ONLY)} per connection for nothing.
     */
    private io.netty.channel.ChannelFactory<? extends io.netty.channel.Channel> channels(Key key) {
        if (key.ipv4() && vertx.transport() instanceof io.vertx.core.impl.transports.EpollTransport) {
            return () -> new io.netty.channel.epoll.EpollSocketChannel(
                    io.netty.channel.socket.InternetProtocolFamily.IPv4);
        }
        return vertx.transport().channelFactory(false);
    }
}
