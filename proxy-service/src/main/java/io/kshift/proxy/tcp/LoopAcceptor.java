package io.kshift.proxy.tcp;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketImpl;
import io.vertx.core.net.impl.VertxHandler;

/**
 * A TCP listening socket owned by one event loop, as Envoy's workers and HAProxy's threads each own one: the loop
 * accepts its own connections and serves them, with no hand-off from an acceptor thread (Vert.x 4 shares one
 * socket per port and accepts on a thread of its own, then hands every connection to a loop: a thread wake-up per
 * connection). The kernel spreads connections over the loops' sockets (SO_REUSEPORT; where the JDK's sockets
 * cannot share a port, one loop's socket takes it alone, {@link #sharesPorts}). Accepted channels go to the port's
 * initializer as they are registered ({@link #attach} makes one an ordinary Vert.x {@link NetSocket} where that is
 * wanted); closing the acceptor closes the listening socket and then every connection it accepted. A listener that
 * is full ({@link ListenerConnections}) closes a new connection at once.
 */
public final class LoopAcceptor {
    /** Whether the JDK's own sockets take SO_REUSEPORT here (Linux and the BSDs do; Windows does not). */
    private static final boolean NIO_REUSE_PORT = nioReusePort();

    private final ContextInternal context;
    private final ChannelGroup accepted;
    private Channel server;

    private LoopAcceptor(ContextInternal context) {
        this.context = context;
        this.accepted = new DefaultChannelGroup(context.nettyEventLoop());
    }

    /**
     * Binds {@code host:port} on {@code context}'s event loop; {@code initializer} decides what each admitted
     * connection's pipeline holds (a TCP port's relay; a TLS port first reads the ClientHello's SNI).
     */
    public static Future<LoopAcceptor> bindChannels(ContextInternal context, String host, int port,
                                                    ListenerConnections limits,
                                                    java.util.function.Consumer<Channel> initializer) {
        LoopAcceptor acceptor = new LoopAcceptor(context);
        var loop = context.nettyEventLoop();
        ServerBootstrap bootstrap = new ServerBootstrap().group(loop, loop)
                .channelFactory(context.owner().transport().serverChannelFactory(false))
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                // No TCP_NODELAY option: Netty turns Nagle off on every socket it makes already (one syscall less).
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (!limits.admit(port)) {
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(f -> limits.release(port));
                        acceptor.accepted.add(ch);
                        initializer.accept(ch);
                    }
                });
        if (context.owner().isNativeTransportEnabled()) {
            bootstrap.option(EpollChannelOption.SO_REUSEPORT, true);
        } else if (NIO_REUSE_PORT) {
            bootstrap.option(io.netty.channel.socket.nio.NioChannelOption.of(
                    java.net.StandardSocketOptions.SO_REUSEPORT), true);
        }
        Promise<LoopAcceptor> bound = context.promise();
        ChannelFuture f = bootstrap.bind(host, port);
        f.addListener(r -> {
            if (r.isSuccess()) {
                acceptor.server = f.channel();
                bound.complete(acceptor);
            } else {
                bound.fail(r.cause());
            }
        });
        return bound.future();
    }

    /**
     * Makes an accepted channel an ordinary Vert.x {@link NetSocket} on {@code context}, handed to {@code handler};
     * what is in the pipeline already (a TLS handler) stays in front of it.
     */
    public static void attach(ContextInternal context, Channel ch, Handler<NetSocket> handler) {
        VertxHandler<NetSocketImpl> vertx = VertxHandler.create(
                chctx -> new NetSocketImpl(context, chctx, null, null, false));
        vertx.addHandler(socket -> context.emit(socket, handler));
        ch.pipeline().addLast("handler", vertx);
    }

    /**
     * Whether each loop can have a socket of its own on one port. If not, only one loop may bind it: the port's
     * connections are then all served on that loop.
     */
    public static boolean sharesPorts(io.vertx.core.Vertx vertx) {
        return vertx.isNativeTransportEnabled() || NIO_REUSE_PORT;
    }

    private static boolean nioReusePort() {
        try (var channel = java.nio.channels.ServerSocketChannel.open()) {
            return channel.supportedOptions().contains(java.net.StandardSocketOptions.SO_REUSEPORT);
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    /** The port it listens on (the bound one when asked for port 0). */
    public int port() {
        return ((java.net.InetSocketAddress) server.localAddress()).getPort();
    }

    /** Stops accepting, then closes every connection this acceptor accepted. */
    public Future<Void> close() {
        Promise<Void> closed = context.promise();
        Channel s = server;
        if (s == null) {
            accepted.close();
            closed.complete();
            return closed.future();
        }
        s.close().addListener(v -> accepted.close().addListener(w -> closed.complete()));
        return closed.future();
    }
}
