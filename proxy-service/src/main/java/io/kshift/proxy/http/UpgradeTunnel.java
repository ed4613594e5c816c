package io.kshift.proxy.http;

import io.kshift.proxy.routing.Upstream;
import io.kshift.proxy.tcp.UpstreamClients;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * An HTTP/1.1 upgrade (WebSocket, or any protocol named by {@code Upgrade}) through an HTTP route, as Envoy allows
 * them by default: the request goes to the route's destination with its {@code Connection: Upgrade} and
 * {@code Upgrade} headers; when the endpoint answers 101 the client gets that answer and both connections become
 * one byte tunnel, counted as a connection of the destination; any other answer is passed back as it is. The
 * destination is picked by the route's exact weights, as a request's would be.
 */
final class UpgradeTunnel {
    private static final int MAX_HEAD = 64 * 1024;
    /** An answer that is not a 101 is passed back whole, up to this much body. */
    private static final int MAX_BODY = 1024 * 1024;
    /** How long an endpoint may take to answer the upgrade when the route sets no timeout. */
    private static final long ANSWER_MILLIS = 15_000;
    private final HttpServerRequest request;
    private final HttpServerResponse response;
    private final HttpRouteEntry route;
    private final MatchBlock matched;
    private final String authority;
    private final UpstreamClients clients;
    private final RandomGenerator random;
    private HttpTarget target;
    private long openedAt;
    private NetSocket upstream;
    private long answerTimer = -1;
    private final io.vertx.core.Vertx vertx;

    UpgradeTunnel(HttpServerRequest request, HttpRouteEntry route, MatchBlock matched, String authority,
                  UpstreamClients clients, RandomGenerator random, io.vertx.core.Vertx vertx) {
        this.vertx = vertx;
        this.matched = matched;
        this.request = request;
        this.response = request.response();
        this.route = route;
        this.authority = authority;
        this.clients = clients;
        this.random = random;
    }

    /**
     * An HTTP/1.1 request asking to switch protocols ({@code Connection: upgrade} and an {@code Upgrade}), but not
     * to cleartext HTTP/2 ({@code h2c}: the listener speaks HTTP/2 itself, and such a request is served as HTTP/1.1).
     */
    static boolean isUpgrade(HttpServerRequest r) {
        String connection = r.getHeader("connection");
        String upgrade = r.getHeader("upgrade");
        String length = r.getHeader("content-length");
        // A request with a body is not an upgrade kshift tunnels (WebSocket and its kin send none).
        boolean bodiless = r.getHeader("transfer-encoding") == null && (length == null || length.trim().equals("0"));
        return r.version() == HttpVersion.HTTP_1_1 && upgrade != null && !upgrade.trim().equalsIgnoreCase("h2c")
                && bodiless && connection != null
                && java.util.Arrays.stream(connection.split(",")).anyMatch(t -> t.trim().equalsIgnoreCase("upgrade"));
    }

    /** Whether the route forwards at all (a redirect or a direct response answers the request itself). */
    static boolean forwards(HttpRouteEntry route) {
        return !route.targets().isEmpty() && route.redirect() == null && route.direct() == null;
    }

    void start() {
        request.pause();
        target = route.pick();
        var endpoints = target.endpoints();
        Upstream endpoint = endpoints.get(endpoints.first());
        var destination = target.destination();
        clients.forTimeout(destination.connectTimeout()).connect(endpoint.address().port(), endpoint.address().host())
                .onFailure(e -> {
                    target.stats().connectFailure(e);
                    answer(503, ResponseFlags.CONNECT_FAILURE, "upstream connect error: " + e.getMessage());
                })
                .onSuccess(upstream -> {
                    this.upstream = upstream;
                    if (response.closed()) {
                        upstream.close();
                        return;
                    }
                    // The client leaving before the tunnel stands takes the upstream with it.
                    response.closeHandler(v -> upstream.close());
                    long millis = route.timeout() == null ? ANSWER_MILLIS : route.timeout().toMillis();
                    answerTimer = vertx.setTimer(Math.max(1, millis), id -> {
                        answerTimer = -1;
                        upstream.close();
                        answer(504, ResponseFlags.TIMEOUT, "upstream did not answer the upgrade in time");
                    });
                    var tls = target.pool().policy().tls();
                    if (tls != null) {
                        var channel = ((io.vertx.core.net.impl.NetSocketInternal) upstream).channelHandlerContext()
                                .channel();
                        try {
                            channel.pipeline().addFirst("kshift-tls", tls.handler(channel.alloc(),
                                    endpoint.address().port()));
                        } catch (RuntimeException e) {
                            upstream.close();
                            answer(503, ResponseFlags.CONNECT_FAILURE, e.getMessage());
                            return;
                        }
                    }
                    upstream.write(head());
                    readAnswer(upstream);
                });
    }

    private Buffer head() {
        MultiMap h = UpstreamRequests.headers(request, route, target, authority, random);
        String uri = route.rewrite() == null ? request.uri() : route.rewrite().apply(request.uri(), matched);
        StringBuilder b = new StringBuilder(request.method().name()).append(' ').append(uri)
                .append(" HTTP/1.1\r\n");
        h.forEach(e -> b.append(e.getKey()).append(": ").append(e.getValue()).append("\r\n"));
        b.append("connection: Upgrade\r\nupgrade: ").append(request.getHeader("upgrade")).append("\r\n\r\n");
        return Buffer.buffer(b.toString());
    }

    private void readAnswer(NetSocket upstream) {
        Buffer got = Buffer.buffer();
        upstream.exceptionHandler(e -> upstream.close());
        upstream.closeHandler(v -> {
            if (!response.headWritten() && !response.ended()) {
                answer(502, ResponseFlags.RESET, "upstream closed before answering the upgrade");
            }
        });
        upstream.handler(chunk -> {
            got.appendBuffer(chunk);
            String text = got.toString(StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (end < 0) {
                if (got.length() > MAX_HEAD) {
                    upstream.close();
                }
                return;
            }
            upstream.handler(null);
            upstream.pause();
            if (answerTimer >= 0) {
                vertx.cancelTimer(answerTimer);
                answerTimer = -1;
            }
            String[] lines = text.substring(0, end).split("\r\n");
            String[] status = lines[0].split(" ", 3);
            int code = status.length > 1 && status[1].length() == 3 && status[1].chars().allMatch(Character::isDigit)
                    ? Integer.parseInt(status[1]) : 502;
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    String name = lines[i].substring(0, colon).trim();
                    String lower = name.toLowerCase(Locale.ROOT);
                    if (code == 101 || !UpstreamRequests.HOP_BY_HOP.contains(lower)) {
                        response.headers().add(name, lines[i].substring(colon + 1).trim());
                    }
                }
            }
            Buffer rest = got.getBuffer(end + 4, got.length());
            if (code == 101) {
                tunnel(upstream, rest);
            } else {
                passBack(upstream, code, rest);
            }
        });
    }

    private void tunnel(NetSocket upstream, Buffer early) {
        response.headers().remove("connection").remove("upgrade");
        response.putHeader("connection", "Upgrade").putHeader("upgrade", request.getHeader("upgrade"));
        request.toNetSocket().onFailure(e -> upstream.close()).onSuccess(client -> {
            RequestHeadTimer.detach(((io.vertx.core.net.impl.NetSocketInternal) client).channelHandlerContext()
                    .pipeline());
            openedAt = System.nanoTime();
            target.stats().connectionOpened();
            target.stats().request(101, "", 0);
            client.closeHandler(v -> {
                upstream.close();
                target.stats().connectionClosed((System.nanoTime() - openedAt) / 1_000_000);
            });
            upstream.closeHandler(v -> client.close());
            if (early.length() > 0) {
                client.write(early);
            }
            client.pipeTo(upstream);
            upstream.pipeTo(client);
            upstream.resume();
        });
    }

    /**
     * Not switched: the endpoint's answer goes back as an HTTP answer, its body up to 1 MiB (sized by
     * content-length, else read until the endpoint closes; a chunked one is passed on as it reads).
     */
    private void passBack(NetSocket upstream, int code, Buffer early) {
        response.setStatusCode(code);
        target.stats().request(code, "", 0);
        String length = response.headers().get("content-length");
        boolean sized = length != null && length.length() < 10 && !length.isEmpty()
                && length.chars().allMatch(Character::isDigit);
        long want = sized ? Math.min(Long.parseLong(length), MAX_BODY) : MAX_BODY;
        response.headers().remove("content-length");
        Buffer body = Buffer.buffer().appendBuffer(early);
        Runnable finish = () -> {
            upstream.handler(null);
            upstream.closeHandler(null);
            if (!response.ended()) {
                response.end(body.getBuffer(0, (int) Math.min(body.length(), want)));
            }
            upstream.close();
            request.resume();
        };
        if (body.length() >= want) {
            finish.run();
            return;
        }
        upstream.closeHandler(v -> finish.run());
        upstream.handler(chunk -> {
            body.appendBuffer(chunk);
            if (body.length() >= want) {
                finish.run();
            }
        });
        upstream.resume();
    }

    private void answer(int status, String flags, String text) {
        if (response.ended() || response.headWritten() || response.closed()) {
            return;
        }
        request.resume();
        if (target != null) {
            target.stats().request(status, flags, 0);
        }
        response.setStatusCode(status).putHeader(ResponseFlags.HEADER, flags).putHeader("content-type", "text/plain")
                .end(text);
    }
}
