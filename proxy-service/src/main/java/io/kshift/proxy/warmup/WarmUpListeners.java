package io.kshift.proxy.warmup;

import io.kshift.proxy.http.HttpListenerConnections;
import io.kshift.proxy.http.HttpListenerHandler;
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
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The warm-up's listeners, made as the node's are (options, the same handler classes, head timer, the same event
 * loops): code that only real listeners ran would meet real traffic cold, and its first calls would send warm code
 * back to recompile. Each returns its port and leaves a closer in {@code closers}.
 */
final class WarmUpListeners {
    private final Vertx vertx;
    private final TcpProxy tcp;
    private final HttpProxy http;
    private final HttpListenerSettings httpSettings;
    /** Whose event loops the listeners take connections on: per-loop caches warm only on their loop. */
    private final ListenerManager listeners;

    WarmUpListeners(Vertx vertx, TcpProxy tcp, HttpProxy http, HttpListenerSettings httpSettings,
                    ListenerManager listeners) {
        this.vertx = vertx;
        this.tcp = tcp;
        this.http = http;
        this.httpSettings = httpSettings;
        this.listeners = listeners;
    }

    /**
     * TCP, accepted as the node's is (when epoll is there: a socket on each loop, sharing one port), serving the
     * routes of the warm-up table's port {@code key}.
     */
    int tcp(TableSource tables, ListenerConnections limits, List<Runnable> closers, int key) throws Exception {
        int port = 0;
        for (Context context : listeners.contexts()) {
            LoopAcceptor acceptor = await(LoopAcceptor.bindChannels((ContextInternal) context, "127.0.0.1", port,
                    limits, new TcpListenerHandler(tcp, key, tables)));
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
     * table's HTTP port's. A server is made on each loop, all on one port, so Vert.x shares one socket among them
     * and hands its connections to each loop in turn. The port is a free one picked first: Vert.x shares a server
     * only when it is asked for a port, not for port 0.
     */
    int http(TableSource tables, ListenerConnections limits, List<Runnable> closers, ServerTls tls) throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            port = probe.getLocalPort();
        }
        for (Context context : listeners.contexts()) {
            Promise<HttpServer> made = Promise.promise();
            context.runOnContext(v -> {
                try {
                    var options = httpSettings.options("127.0.0.1", port);
                    vertx.createHttpServer(tls == null ? options : tls.apply(options))
                            .connectionHandler(new HttpListenerConnections(limits, WarmUp.HTTP_PORT, httpSettings,
                                    tls != null))
                            .requestHandler(new HttpListenerHandler(http, WarmUp.HTTP_PORT, WarmUp.HTTP_PORT, tables))
                            .listen().onSuccess(server -> {
                                if (tls == null) { // HTTPS connections get the head timer past TLS, as the node's
                                    httpSettings.listening(server);
                                }
                            }).onComplete(made);
                } catch (RuntimeException e) {
                    made.fail(e);
                }
            });
            closers.add(await(made.future())::close);
        }
        return port;
    }

    /**
     * One connection to a listener just bound, {@code ask} sent, the answer read until {@code until} or the end
     * (at most 2 s). A listener's first connection is its server socket's first read, and in Netty that call
     * (the read handle of a channel made then) sees a server channel where every other first read sees a
     * connection's: a profile without it compiled the event loop's whole read path for connections only, and a
     * real gateway's first client sent it back to C2 (1.2-1.9 s of compiling, JFR, on the first load after start).
     */
    static void knock(int port, String ask, String until) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout(2000);
            socket.getOutputStream().write(ask.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            StringBuilder answer = new StringBuilder();
            java.io.InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            for (int n; !answer.toString().contains(until) && (n = in.read(buffer)) > 0; ) {
                answer.append(new String(buffer, 0, n, java.nio.charset.StandardCharsets.US_ASCII));
            }
        } catch (java.io.IOException e) {
            // A knock that finds no route is closed by the proxy; one that times out still made its first read.
        }
    }

    static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
