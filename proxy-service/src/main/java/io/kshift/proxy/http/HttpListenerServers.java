package io.kshift.proxy.http;

import io.kshift.proxy.routing.TableSource;
import io.kshift.proxy.tcp.ListenerConnections;
import io.kshift.proxy.tls.ServerTls;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

/**
 * Makes the HTTP and HTTPS listeners' servers, for the node's gateways and for the start-up warm-up alike: the
 * warm-up is worth something only while its listeners run the code real ones run, so that code is written once.
 */
public record HttpListenerServers(Vertx vertx, HttpProxy http, HttpListenerSettings settings) {
    /**
     * A server for {@code host:bindPort}, HTTPS presenting {@code tls} (null: cleartext), made on the calling event
     * loop (Vert.x puts its connections there), not yet listening. Its connections count against {@code limits} as
     * {@code port}'s; its requests are routed by {@code tables}' listener {@code listener} (the port, or
     * {@link HttpProxy#MESH}) as arriving on {@code port}.
     */
    public HttpServer create(String host, int bindPort, ServerTls tls, ListenerConnections limits, int listener,
                             int port, TableSource tables) {
        var options = settings.options(host, bindPort);
        return vertx.createHttpServer(tls == null ? options : tls.apply(options))
                .connectionHandler(new HttpListenerConnections(limits, port, settings, tls != null))
                .requestHandler(new HttpListenerHandler(http, listener, port, tables));
    }

    /** Binds {@code server}, made by {@link #create} with {@code tls}. */
    public Future<HttpServer> listen(HttpServer server, ServerTls tls) {
        return server.listen().onSuccess(s -> {
            // The listening hook puts the request-head timer under every handler, where HTTPS bytes are
            // ciphertext: HTTPS connections get theirs past the TLS handler instead (connectedTls).
            if (tls == null) {
                settings.listening(s);
            }
        });
    }
}
