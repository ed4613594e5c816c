package io.kshift.proxy.http;

import io.kshift.proxy.routing.TableSource;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

/**
 * The request handler of an HTTP listener: the node's listeners and the start-up warm-up's use this one class,
 * reading their table the same way, so the JIT compiles Vert.x's call into it once, for both (two lambda classes,
 * and later a branch on whose table it was, made real traffic's first requests throw away the warm-up's compiled
 * code).
 */
public final class HttpListenerHandler implements Handler<HttpServerRequest> {
    private final HttpProxy http;
    private final int listener;
    private final int port;
    private final TableSource tables;

    public HttpListenerHandler(HttpProxy http, int listener, int port, TableSource tables) {
        this.http = http;
        this.listener = listener;
        this.port = port;
        this.tables = tables;
    }

    @Override
    public void handle(HttpServerRequest request) {
        http.handle(request, listener, port, tables.get());
    }
}
