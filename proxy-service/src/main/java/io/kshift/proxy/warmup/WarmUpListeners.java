package io.kshift.proxy.warmup;

import io.kshift.proxy.http.HttpListenerServers;
import io.kshift.proxy.http.HttpListenerSettings;
import io.kshift.proxy.http.HttpProxy;
import io.kshift.proxy.routing.TableSource;
import io.kshift.proxy.tcp.ListenerConnections;
import io.kshift.proxy.tcp.ListenerManager;
import io.kshift.proxy.tcp.LoopAcceptor;
import io.kshift.proxy.tcp.TcpListenerHandler;
import io.kshift.proxy.tcp.TcpProxy;
import io.kshift.proxy.tls.ServerTls;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.impl.ContextInternal;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The warm-up's listeners, made as the node's are (the same acceptor and {@link HttpListenerServers}, the same
 * event loops): code that only real listeners ran would meet real traffic cold, and its first calls would send warm
 * code back to recompile. A listener is bound serving the routes of one of the warm-up table's ports
 * ({@code routedAs}), returns its port and leaves a closer in {@code closers}; {@link #knock} makes its first
 * connection.
 */
final class WarmUpListeners {
    private static final Logger LOG = Logger.getLogger(WarmUpListeners.class);
    private static final Duration KNOCK = Duration.ofSeconds(2);
    private final Vertx vertx;
    private final TcpProxy tcp;
    private final HttpListenerServers servers;
    /** Whose event loops the listeners take connections on: per-loop caches warm only on their loop. */
    private final ListenerManager listeners;

    WarmUpListeners(Vertx vertx, TcpProxy tcp, HttpProxy http, HttpListenerSettings httpSettings,
                    ListenerManager listeners) {
        this.vertx = vertx;
        this.tcp = tcp;
        this.servers = new HttpListenerServers(vertx, http, httpSettings);
        this.listeners = listeners;
    }

    /**
     * TCP, accepted as the node's is (when epoll is there: a socket on each loop, sharing one port), serving the
     * routes of the warm-up table's port {@code routedAs}.
     */
    int tcp(TableSource tables, ListenerConnections limits, List<Runnable> closers, int routedAs) throws Exception {
        int port = 0;
        for (Context context : listeners.contexts()) {
            LoopAcceptor acceptor = await(LoopAcceptor.bindChannels((ContextInternal) context, "127.0.0.1", port,
                    limits, new TcpListenerHandler(tcp, routedAs, tables)));
            closers.add(acceptor::close);
            port = acceptor.port();
            if (!LoopAcceptor.sharesPorts(vertx)) {
                break; // one loop's socket takes the port, as the node's listeners do then
            }
        }
        return port;
    }

    /**
     * HTTP, or HTTPS presenting {@code tls} (null: cleartext); either way its requests are routed as the warm-up
     * table's port {@code routedAs}'s. A server is made on each loop, all on one port, so Vert.x shares one socket
     * among them and hands its connections to each loop in turn. The port is a free one picked first: Vert.x shares
     * a server only when it is asked for a port, not for port 0.
     */
    int http(TableSource tables, ListenerConnections limits, List<Runnable> closers, ServerTls tls, int routedAs)
            throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            port = probe.getLocalPort();
        }
        for (Context context : listeners.contexts()) {
            Promise<HttpServer> made = Promise.promise();
            context.runOnContext(v -> {
                try {
                    HttpServer server = servers.create("127.0.0.1", port, tls, limits, routedAs, routedAs, tables);
                    servers.listen(server, tls).onComplete(made);
                } catch (RuntimeException e) {
                    made.fail(e);
                }
            });
            closers.add(await(made.future())::close);
        }
        return port;
    }

    /**
     * One connection to a listener just bound: {@code ask} sent, the answer read until {@code until} or its end, all
     * within 2 s. A listener's first connection is its server socket's first read, and in Netty that call (the read
     * handle of a channel made then) sees a server channel where every other first read sees a connection's: a
     * profile without it compiled the event loop's whole read path for connections only, and a real gateway's first
     * client sent it back to C2 (1.2-1.9 s of compiling, JFR, on the first load after a start).
     */
    static void knock(int port, String ask, String until) {
        long deadline = System.nanoTime() + KNOCK.toNanos();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) KNOCK.toMillis());
            socket.getOutputStream().write(ask.getBytes(StandardCharsets.US_ASCII));
            StringBuilder answer = new StringBuilder();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            while (answer.indexOf(until) < 0) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return;
                }
                socket.setSoTimeout((int) left);
                int n = in.read(buffer);
                if (n < 0) {
                    return;
                }
                answer.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
            }
        } catch (IOException e) {
            // A reset or a time-out is fine: the listener has accepted by then, which is all a knock is for.
            LOG.debugf("warm-up: a knock on port %d ended with %s", port, e);
        }
    }

    static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
