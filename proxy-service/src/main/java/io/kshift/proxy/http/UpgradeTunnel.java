package io.kshift.proxy.http;

import io.kshift.proxy.routing.Upstream;
import io.kshift.proxy.tcp.UpstreamClients;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * An HTTP/1.1 upgrade (WebSocket, or any protocol named by {@code Upgrade} but h2c) through an HTTP route, as Envoy
 * allows them by default: the request goes to the destination the route's exact weights pick (the endpoint its
 * consistent hash picks, the next one when an endpoint refuses), with its {@code Connection: Upgrade} and
 * {@code Upgrade} headers; when the endpoint answers 101 the client gets that answer and both connections become one
 * byte tunnel, counted as a connection of the destination; any other answer is passed back as an HTTP answer. Every
 * callback runs on the request's event loop (Vert.x's client and timers take the caller's context).
 */
final class UpgradeTunnel {
    private static final int MAX_HEAD = 64 * 1024;
    /** An answer that is not a 101 is passed back whole, up to this much body. */
    private static final int MAX_BODY = 1024 * 1024;
    /** How long an endpoint may take to answer the upgrade when the route sets no timeout. */
    private static final long ANSWER_MILLIS = 15_000;
    private final HttpServerRequest request;
    private final HttpServerResponse response;
    private final ClientCertHeader.Policy clientCerts;
    private final HttpRouteEntry route;
    private final MatchBlock matched;
    private final String authority;
    private final UpstreamClients clients;
    private final RandomGenerator random;
    private final io.vertx.core.Vertx vertx;
    private HttpTarget target;
    private long openedAt;
    private NetSocket upstream;
    private long answerTimer = -1;
    private int first;
    /** The endpoint offset whose connection the upgrade went out on, and the session that chose it (null: none). */
    private int answered;
    private SessionAffinity.Pin pin;

    /** The request's URI with its path normalised ({@link PathNormalizer}). */
    private final String requestUri;

    /** When the upgrade request arrived: its answer's latency, as an exchange's. */
    private final long startedAt;

    /** Whether the answer is counted: once, whichever of the passed-back answer, the timer's 504 or the 101 ends it. */
    private boolean counted;
    /** A fault delay held the upgrade: its answer carries DI, as an exchange's does. */
    private boolean delayed;
    private long delayTimer = -1;

    UpgradeTunnel(HttpServerRequest request, String requestUri, HttpRouteEntry route, MatchBlock matched,
                  String authority, UpstreamClients clients, RandomGenerator random, io.vertx.core.Vertx vertx,
                  ClientCertHeader.Policy clientCerts) {
        this.clientCerts = clientCerts;
        this.startedAt = System.nanoTime();
        this.request = request;
        this.requestUri = requestUri;
        this.response = request.response();
        this.route = route;
        this.matched = matched;
        this.authority = authority;
        this.clients = clients;
        this.random = random;
        this.vertx = vertx;
    }

    /**
     * A bodiless HTTP/1.1 GET asking to switch protocols ({@code Connection: upgrade} and an {@code Upgrade}), but
     * not to cleartext HTTP/2 ({@code h2c}: the listener speaks HTTP/2 itself). Other methods (SPDY's POST) are
     * served as plain requests: a client tunnel follows only a GET upgrade here.
     */
    static boolean isUpgrade(HttpServerRequest r) {
        String connection = r.getHeader("connection");
        String upgrade = r.getHeader("upgrade");
        String length = r.getHeader("content-length");
        boolean bodiless = r.getHeader("transfer-encoding") == null && (length == null || length.trim().equals("0"));
        return r.version() == HttpVersion.HTTP_1_1 && r.method() == HttpMethod.GET && upgrade != null
                && !upgrade.trim().equalsIgnoreCase("h2c") && bodiless && connection != null
                && java.util.Arrays.stream(connection.split(",")).anyMatch(t -> t.trim().equalsIgnoreCase("upgrade"));
    }

    /** Whether the route forwards at all (a redirect or a direct response answers the request itself). */
    static boolean forwards(HttpRouteEntry route) {
        return !route.targets().isEmpty() && route.redirect() == null && route.direct() == null;
    }

    void start() {
        request.pause();
        // A session (sessionPersistence) holds for upgrades too: sticky WebSockets are what it is often wanted for.
        pin = route.pinned(request);
        if (pin != null) {
            target = route.targets().get(pin.target());
            first = pin.endpoint();
        } else {
            target = route.pick();
            if (target == null) {
                // The share of a destination this node could not resolve, as HttpExchange answers it.
                request.resume();
                HeaderEdits.applyTo(request.response().headers(), route.responseEdits(), HeaderEdits.NONE,
                        route.weighted());
                request.response().setStatusCode(503).putHeader(ResponseFlags.HEADER, ResponseFlags.NO_CLUSTER)
                        .putHeader("content-type", "text/plain").end("no cluster found for this share of the route");
                return;
            }
            String key = UpstreamRequests.hashKey(request, target.hash());
            first = key == null ? target.endpoints().first() : target.endpoints().firstFor(key);
        }
        response.closeHandler(v -> {
            cancelTimer();
            if (delayTimer >= 0) {
                vertx.cancelTimer(delayTimer);
                delayTimer = -1;
            }
            if (upstream != null) {
                upstream.close();
            }
            count(0, ResponseFlags.DOWNSTREAM_DISCONNECT); // gone before its answer: Envoy's status 0, DC
        });
        // The route's faults hold for upgrades too: Envoy's fault filter sees the upgrade request like any other.
        HttpRouteEntry.Fault f = route.fault();
        if (f != null && f.delay() != null && chance(f.delayPercent())) {
            delayed = true;
            delayTimer = vertx.setTimer(Math.max(1, f.delay().toMillis()), id -> {
                delayTimer = -1;
                abortOrConnect();
            });
        } else {
            abortOrConnect();
        }
    }

    private void abortOrConnect() {
        if (response.closed() || response.ended()) {
            return;
        }
        HttpRouteEntry.Fault f = route.fault();
        if (f != null && f.abortStatus() > 0 && chance(f.abortPercent())) {
            answer(f.abortStatus(), ResponseFlags.FAULT_ABORT, "fault filter abort");
            return;
        }
        long millis = route.timeout() == null ? ANSWER_MILLIS : route.timeout().toMillis();
        answerTimer = vertx.setTimer(Math.max(1, millis), id -> {
            answerTimer = -1;
            if (upstream != null) {
                upstream.close();
            }
            answer(504, ResponseFlags.TIMEOUT, "upstream did not answer the upgrade in time");
        });
        connect(0);
    }

    private boolean chance(double percent) {
        return percent >= 100 || (percent > 0 && random.nextDouble() * 100 < percent);
    }

    private void connect(int attempt) {
        var endpoints = target.endpoints();
        if (attempt == endpoints.size() || response.closed()) {
            answer(503, ResponseFlags.CONNECT_FAILURE, "no endpoint accepted the connection");
            return;
        }
        Upstream endpoint = endpoints.get(first + attempt);
        clients.connect(target.destination().connectTimeout(), endpoint.address().host(),
                endpoint.address().port()).onFailure(e -> {
                    target.stats().connectFailure(e);
                    connect(attempt + 1);
                }).onSuccess(socket -> {
                    if (response.closed() || response.ended()) {
                        socket.close();
                        return;
                    }
                    upstream = socket;
                    answered = first + attempt;
                    var tls = target.pool().policy().tls();
                    if (tls != null) {
                        var channel = ((io.vertx.core.net.impl.NetSocketInternal) socket).channelHandlerContext()
                                .channel();
                        try {
                            channel.pipeline().addFirst("kshift-tls", tls.handler(channel.alloc(),
                                    endpoint.address().port()));
                        } catch (RuntimeException e) {
                            socket.close();
                            answer(503, ResponseFlags.CONNECT_FAILURE, e.getMessage());
                            return;
                        }
                    }
                    socket.write(head());
                    readAnswer(socket);
                });
    }

    private Buffer head() {
        MultiMap h = UpstreamRequests.headers(request, route, target, authority, random, clientCerts);
        h.remove("content-length");
        String uri = route.rewrite() == null ? requestUri : route.rewrite().apply(requestUri, matched);
        StringBuilder b = new StringBuilder(request.method().name()).append(' ').append(uri)
                .append(" HTTP/1.1\r\n");
        // Written as text, not by a codec that checks it: a line break in a value would start a header (or a request)
        // of the value's choosing, so such a header is not sent.
        h.forEach(e -> {
            if (!breaksLines(e.getKey()) && !breaksLines(e.getValue())) {
                b.append(e.getKey()).append(": ").append(e.getValue()).append("\r\n");
            }
        });
        b.append("connection: Upgrade\r\nupgrade: ").append(request.getHeader("upgrade")).append("\r\n\r\n");
        return Buffer.buffer(b.toString());
    }

    private static boolean breaksLines(String s) {
        return s.indexOf('\r') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\0') >= 0;
    }

    /** Reads the endpoint's answer head; 1xx answers other than 101 are interim and skipped. */
    private void readAnswer(NetSocket socket) {
        Buffer[] got = {Buffer.buffer()};
        socket.exceptionHandler(e -> socket.close());
        socket.closeHandler(v -> {
            cancelTimer();
            answer(502, ResponseFlags.RESET, "upstream closed before answering the upgrade");
        });
        socket.handler(chunk -> {
            got[0].appendBuffer(chunk);
            while (true) {
                String text = got[0].toString(StandardCharsets.ISO_8859_1);
                int end = text.indexOf("\r\n\r\n");
                if (end < 0) {
                    if (got[0].length() > MAX_HEAD) {
                        socket.close();
                    }
                    return;
                }
                String[] lines = text.substring(0, end).split("\r\n");
                String[] status = lines[0].split(" ", 3);
                int code = status.length > 1 && status[1].length() == 3 && status[1].chars().allMatch(Character::isDigit)
                        ? Integer.parseInt(status[1]) : 502;
                Buffer rest = got[0].getBuffer(end + 4, got[0].length());
                if (code >= 100 && code < 200 && code != 101) {
                    got[0] = rest; // an interim answer (103 Early Hints): dropped, the final one read on
                    continue;
                }
                socket.handler(null);
                socket.pause();
                List<String> connection = new ArrayList<>();
                for (int i = 1; i < lines.length; i++) {
                    int colon = lines[i].indexOf(':');
                    if (colon > 0) {
                        String name = lines[i].substring(0, colon).trim();
                        String value = lines[i].substring(colon + 1).trim();
                        if (code == 101 || !UpstreamRequests.hopByHop(name)) {
                            response.headers().add(name, value);
                        } else if (name.equalsIgnoreCase("connection")) {
                            connection.add(value);
                        }
                    }
                }
                // A refused upgrade is an ordinary answer: what its Connection fields name stays on the upstream's
                // hop too (its length excepted: passBack reads the body by it).
                for (String named : ConnectionOptions.of(connection).names()) {
                    if (!named.equals("content-length")) {
                        response.headers().remove(named);
                    }
                }
                // The route's and destination's response edits, as on every answer (the 101's own Connection and
                // Upgrade are set after them).
                HeaderEdits.applyTo(response.headers(), route.responseEdits(), target.responseEdits(),
                        route.weighted());
                boolean chunked = text.substring(0, end).toLowerCase(Locale.ROOT)
                        .contains("\r\ntransfer-encoding: chunked");
                if (code == 101) {
                    cancelTimer();
                    tunnel(socket, rest);
                } else {
                    passBack(socket, code, chunked, rest);
                }
                return;
            }
        });
    }

    private void tunnel(NetSocket socket, Buffer early) {
        response.headers().remove("connection").remove("upgrade");
        response.putHeader("connection", "Upgrade").putHeader("upgrade", request.getHeader("upgrade"));
        if (route.session() != null) {
            route.session().carry(response.headers(), target, answered, pin, System.currentTimeMillis() / 1000);
        }
        socket.closeHandler(null);
        request.toNetSocket().onFailure(e -> socket.close()).onSuccess(client -> {
            RequestHeadTimer.detach(((io.vertx.core.net.impl.NetSocketInternal) client).channelHandlerContext()
                    .pipeline());
            openedAt = System.nanoTime();
            io.kshift.proxy.telemetry.TrafficStats stats = target.statsRef().open(); // the tunnel's close goes where its open went
            if (!counted) {
                counted = true;
                stats.request(101, "", (System.nanoTime() - startedAt) / 1_000_000);
            }
            client.closeHandler(v -> {
                socket.close();
                stats.connectionClosed((System.nanoTime() - openedAt) / 1_000_000);
            });
            socket.closeHandler(v -> client.close());
            if (early.length() > 0) {
                client.write(early);
            }
            client.pipeTo(socket);
            socket.pipeTo(client);
            socket.resume();
        });
    }

    /**
     * Not switched: the endpoint's answer goes back as an HTTP answer, its body up to 1 MiB (by content-length,
     * chunked, or until the endpoint closes; none for 204 and 304), still bounded by the answer timer.
     */
    private void passBack(NetSocket socket, int code, boolean chunked, Buffer early) {
        response.setStatusCode(code);
        String length = response.headers().get("content-length");
        boolean sized = length != null && length.length() < 10 && !length.isEmpty()
                && length.chars().allMatch(Character::isDigit);
        boolean none = code == 204 || code == 304;
        long want = none ? 0 : sized ? Math.min(Long.parseLong(length), MAX_BODY) : MAX_BODY;
        response.headers().remove("content-length");
        Buffer body = Buffer.buffer().appendBuffer(early);
        Runnable finish = () -> {
            cancelTimer();
            socket.handler(null);
            socket.closeHandler(null);
            if (!response.ended() && !response.closed()) {
                count(code, "");
                Buffer out = chunked ? Chunked.decode(body) : body.getBuffer(0, (int) Math.min(body.length(), want));
                response.end(out == null ? Buffer.buffer() : out);
            }
            socket.close();
            request.resume();
        };
        if (none || (!chunked && body.length() >= want) || (chunked && Chunked.complete(body))) {
            finish.run();
            return;
        }
        socket.closeHandler(v -> finish.run());
        socket.handler(chunk -> {
            body.appendBuffer(chunk);
            if (chunked ? Chunked.complete(body) || body.length() > MAX_BODY : body.length() >= want) {
                finish.run();
            }
        });
        socket.resume();
    }

    private void cancelTimer() {
        if (answerTimer >= 0) {
            vertx.cancelTimer(answerTimer);
            answerTimer = -1;
        }
    }

    private void answer(int status, String flags, String text) {
        if (response.ended() || response.headWritten() || response.closed()) {
            return;
        }
        cancelTimer();
        request.resume();
        String all = withDelay(flags);
        count(status, flags);
        HeaderEdits.applyTo(response.headers(), route.responseEdits(), target.responseEdits(), route.weighted());
        response.setStatusCode(status).putHeader(ResponseFlags.HEADER, all).putHeader("content-type", "text/plain")
                .end(text);
    }

    /**
     * The answer counted once, with its latency: a passed-back answer whose body the timer cut was counted as its
     * status (latency 0) and again as the 504 the client got instead.
     */
    private void count(int status, String flags) {
        if (!counted && target != null) {
            counted = true;
            target.stats().request(status, withDelay(flags), (System.nanoTime() - startedAt) / 1_000_000);
        }
    }

    private String withDelay(String flags) {
        return !delayed ? flags : flags.isEmpty() ? ResponseFlags.FAULT_DELAY : ResponseFlags.FAULT_DELAY + "," + flags;
    }

    /** A chunked body read whole: whether it has ended, and its content. */
    static final class Chunked {
        private Chunked() {
        }

        static boolean complete(Buffer raw) {
            return decode(raw) != null;
        }

        /** The content of a whole chunked body, or null while it has not ended (or does not parse). */
        static Buffer decode(Buffer raw) {
            Buffer out = Buffer.buffer();
            int at = 0;
            String text = raw.toString(StandardCharsets.ISO_8859_1);
            while (true) {
                int eol = text.indexOf("\r\n", at);
                if (eol < 0) {
                    return null;
                }
                String size = text.substring(at, eol);
                int semicolon = size.indexOf(';');
                int n;
                try {
                    n = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
                } catch (NumberFormatException e) {
                    return null;
                }
                if (n == 0) {
                    return text.indexOf("\r\n\r\n", eol) >= 0 || text.startsWith("\r\n", eol + 2) ? out : null;
                }
                if (eol + 2 + n + 2 > raw.length()) {
                    return null;
                }
                out.appendBuffer(raw.getBuffer(eol + 2, eol + 2 + n));
                at = eol + 2 + n + 2;
            }
        }
    }
}
