package io.kshift.proxy.http;

import io.kshift.proxy.tcp.ListenerConnections;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;

/**
 * The connection handler of an HTTP listener: admits the connection under the listener's limit (closing it if
 * full), gives its slot back when it closes, and hooks the request-head timer. One class for the node's listeners
 * and the warm-up's, for the reason {@link HttpListenerHandler} gives.
 */
public final class HttpListenerConnections implements Handler<HttpConnection> {
    private final ListenerConnections limits;
    private final int port;
    private final HttpListenerSettings settings;
    private final boolean tls;

    public HttpListenerConnections(ListenerConnections limits, int port, HttpListenerSettings settings, boolean tls) {
        this.limits = limits;
        this.port = port;
        this.settings = settings;
        this.tls = tls;
    }

    @Override
    public void handle(HttpConnection connection) {
        if (!limits.admit(port)) {
            connection.close();
            return;
        }
        java.util.Set<HttpConnection> tracked = settings.track(connection);
        connection.closeHandler(closed -> {
            limits.release(port);
            if (tracked != null) {
                tracked.remove(connection);
            }
        });
        if (tls) {
            settings.connectedTls(connection);
        } else {
            settings.connected(connection);
        }
    }
}
