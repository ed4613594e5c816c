package io.kshift.proxy.warmup;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;

/**
 * What the warm-up sends and answers: the header sets, methods and body shapes of ordinary HTTP (a browser-like
 * GET with capitalised names and cookies, a JSON POST, a bare GET as load generators and health checkers send;
 * answers with a length, chunked, a page, or as nginx answers: capitalised names and {@code Connection:
 * keep-alive}). The JIT compiles the branches it has seen: warmed on one bare shape, the first real requests would
 * send it back to recompile header parsing and encoding. JFR's deoptimisation events at the first real answers
 * from nginx named both: the answer's header copy and keep-alive check on a {@code Connection} field (Vert.x's
 * server never sends one on HTTP/1.1), then the case-folding name checks on upper-case letters.
 */
final class WarmUpTraffic {
    static final int SHAPES = 4;
    private static final String DATE = "Tue, 01 Dec 2026 12:00:00 GMT";
    private static final Buffer KB = Buffer.buffer("x".repeat(1024));
    private static final Buffer PAGE = Buffer.buffer("<html><body>" + "warm-up ".repeat(256) + "</body></html>\n");
    private static final Buffer JSON = Buffer.buffer("{\"warm\":\"" + "y".repeat(1000) + "\"}");

    private WarmUpTraffic() {
    }

    /** The backend of version {@code version}. */
    static void answer(HttpServerRequest request, String version) {
        if (request.path().equals(WarmUpAwkwardClients.LATE_PATH)) {
            io.vertx.core.Vertx.currentContext().owner().setTimer(WarmUpAwkwardClients.LATE_MILLIS,
                    t -> request.response().end()); // to a client gone by now: a failed write, nothing else
            return;
        }
        request.body().onSuccess(body -> {
            HttpServerResponse response = request.response().putHeader("x-warm-version", version)
                    .putHeader("server", "warm-up/1.0").putHeader("date", DATE)
                    .putHeader("cache-control", "no-cache").putHeader("etag", "\"w" + body.length() + "\"");
            switch (shape(request.path())) {
                case 1 -> {
                    response.putHeader("content-type", "application/json").setChunked(true).write(KB);
                    response.end(KB);
                }
                case 2 -> response.putHeader("content-type", "text/html; charset=utf-8")
                        .putHeader("last-modified", DATE).end(PAGE);
                case 3 -> {
                    // As nginx writes them: capitalised names (the hop-by-hop checks fold case) and keep-alive.
                    if (request.version() != HttpVersion.HTTP_2) { // connection-specific in h2
                        response.headers().remove("server").remove("date").add("Server", "warm-up/1.0")
                                .add("Date", DATE).add("Connection", "keep-alive");
                    }
                    response.putHeader("Content-Type", "text/plain").end("warm hello\n");
                }
                default -> response.putHeader("content-type", "text/plain").end("warm hello\n");
            }
        });
    }

    /** What came back: the status, the backend version that answered, and the protocol it came over. */
    record Answer(int status, String backend, HttpVersion protocol) {
    }

    /**
     * Request number {@code n} toward the listener on {@code port}. {@code sni}: the name a TLS client asks for (the
     * connection still goes to loopback), or null in cleartext. {@code close}: asks for the connection to be closed
     * after the answer (HTTP/1.1 only), so the next request opens a new one.
     */
    static Future<Answer> request(HttpClient client, int port, String sni, int n, boolean close) {
        int shape = Math.floorMod(n, SHAPES);
        RequestOptions options = new RequestOptions().setHost("127.0.0.1").setPort(port);
        if (sni != null) {
            options.setServer(io.vertx.core.net.SocketAddress.inetSocketAddress(port, "127.0.0.1")).setHost(sni);
        }
        if (shape != 3) {
            options.putHeader("user-agent", "kshift-warm-up/1.0").putHeader("accept", "*/*");
        }
        Buffer body = null;
        switch (shape) {
            case 1 -> {
                options.setMethod(HttpMethod.POST).setURI("/warm-up/1").putHeader("content-type", "application/json");
                body = JSON;
            }
            case 2 -> options.setMethod(HttpMethod.GET).setURI("/warm-up/2?page=" + n)
                    .putHeader("Cookie", "session=warm" + n + "; theme=dark") // as browsers write HTTP/1.1
                    .putHeader("Accept-Language", "en-GB,en;q=0.9").putHeader("Accept-Encoding", "gzip, deflate");
            case 3 -> options.setMethod(HttpMethod.GET).setURI("/warm-up/3");
            default -> options.setMethod(HttpMethod.GET).setURI("/warm-up/0");
        }
        Buffer sent = body;
        // Clients send Host with a port (curl, wrk, on a non-default port) and without (behind a load balancer):
        // both, or the host lookup's compiled code knows only one.
        boolean bareHost = Math.floorMod(n / SHAPES, 2) == 1;
        return client.request(options)
                .compose(req -> {
                    if (bareHost) {
                        req.authority(io.vertx.core.net.HostAndPort.authority("warm-http"));
                    }
                    if (close && req.version() != HttpVersion.HTTP_2) { // connection-specific in h2
                        req.putHeader("Connection", "close");
                    }
                    return sent == null ? req.send() : req.send(sent);
                })
                .compose(res -> res.body().map(b -> outcome(res)));
    }

    private static Answer outcome(HttpClientResponse response) {
        return new Answer(response.statusCode(), response.getHeader("x-warm-version"), response.version());
    }

    private static int shape(String path) {
        char last = path.isEmpty() ? '0' : path.charAt(path.length() - 1);
        return last >= '0' && last < '0' + SHAPES ? last - '0' : 0;
    }
}
