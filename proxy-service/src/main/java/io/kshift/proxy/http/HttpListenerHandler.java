package io.kshift.proxy.http;

import io.kshift.proxy.routing.RouteTable;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

/**
 * The request handler of an HTTP listener: the node's listeners and the start-up warm-up's use this one class, so
 * the JIT compiles Vert.x's call into it once, for both (two lambda classes there made real traffic's first
 * requests throw away the warm-up's compiled code).
 */
public final class HttpListenerHandler implements Handler<HttpServerRequest> {
    private final HttpProxy http;
    private final int listener;
    private final int port;
    /** Null: the node's live route table. */
    private final RouteTable table;

    public HttpListenerHandler(HttpProxy http, int listener, int port, RouteTable table) {
        this.http = http;
        this.listener = listener;
        this.port = port;
        this.table = table;
    }

    @Override
    public void handle(HttpServerRequest request) {
        if (table == null) {
            http.handle(request, listener, port);
        } else {
            http.handle(request, listener, port, table);
        }
    }
}
