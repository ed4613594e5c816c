package io.kshift.proxy.http;

import io.kshift.model.istio.HttpRedirect;
import io.kshift.model.istio.LoadBalancerSettings.ConsistentHashLb;
import io.kshift.model.routing.HostNames;
import io.netty.util.AsciiString;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

/**
 * What a forwarded request carries, which of an answer's headers go back, what a redirect points at, and what a
 * consistent hash hashes: pure functions.
 */
final class UpstreamRequests {
    /**
     * Never forwarded (RFC 9110 hop-by-hop fields, HTTP/2 upgrade); Host is set from the route. Expect too: the
     * listener answers 100 Continue itself, as Envoy does by default.
     */
    private static final List<AsciiString> HOP_BY_HOP = Stream.of("expect", "connection", "keep-alive",
            "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authenticate",
            "proxy-authorization", "http2-settings", "host").map(AsciiString::of).toList();
    private static final AsciiString TE = AsciiString.of("te");
    private static final AsciiString COOKIE = AsciiString.of("cookie");

    /**
     * The live page's session cookie (telemetry-service): browsers send cookies to every port of a host, so a
     * page signed in on :8082 would hand its token to any workload behind a gateway on the same host. Dropped.
     */
    static final String SESSION_COOKIE = "kshift-token";

    private UpstreamRequests() {
    }

    /** A Cookie header's pairs but the session cookie's ("a=1; kshift-token=...; b=2" -> "a=1; b=2"). */
    static String withoutSessionCookie(String cookie) {
        StringBuilder out = new StringBuilder();
        for (String pair : cookie.split(";")) {
            String p = pair.trim();
            if (p.isEmpty() || p.startsWith(SESSION_COOKIE + "=")) {
                continue;
            }
            out.append(out.length() == 0 ? "" : "; ").append(p);
        }
        return out.toString();
    }

    /**
     * Whether a header is never forwarded, whatever the case of its name. Compared in place: every request's and
     * answer's headers pass here, and a lower-case copy of each name was a tenth of the proxy's allocation.
     */
    static boolean hopByHop(CharSequence name) {
        for (AsciiString h : HOP_BY_HOP) {
            if (h.contentEqualsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Envoy's request headers that steer an Envoy (retries, timeouts, hedging, tracing, stat names) or claim to be
     * one's (the downstream cluster and node, the original URL, IP tags). Envoy's router consumes the first kind and
     * its connection manager strips the rest from external requests (ConnectionManagerUtility::cleanInternalHeaders),
     * so none reaches an upstream: passed on, a client's x-envoy-max-retries: 50 steered an Istio sidecar in front
     * of the backend.
     */
    private static final java.util.Set<String> ENVOY_CONTROL = java.util.Set.of("x-envoy-retry-on",
            "x-envoy-retry-grpc-on", "x-envoy-max-retries", "x-envoy-retriable-status-codes",
            "x-envoy-retriable-header-names", "x-envoy-upstream-rq-timeout-ms",
            "x-envoy-upstream-rq-per-try-timeout-ms", "x-envoy-upstream-rq-timeout-alt-response",
            "x-envoy-expected-rq-timeout-ms", "x-envoy-hedge-on-per-try-timeout", "x-envoy-upstream-alt-stat-name",
            "x-envoy-force-trace", "x-envoy-ip-tags", "x-envoy-original-url", "x-envoy-decorator-operation",
            "x-envoy-downstream-service-cluster", "x-envoy-downstream-service-node", "x-envoy-internal",
            "x-envoy-external-address");

    static boolean envoyControl(String name) {
        return name.length() > 8 && name.regionMatches(true, 0, "x-envoy-", 0, 8)
                && ENVOY_CONTROL.contains(name.toLowerCase(java.util.Locale.ROOT));
    }

    /**
     * The client's headers less hop-by-hop ones (named so or by its Connection fields), then Host (rewritten or
     * not), forwarding headers (the client's certificate, {@link ClientCertHeader}) and the route's edits.
     */
    static MultiMap headers(HttpServerRequest request, HttpRouteEntry route, HttpTarget target, String authority,
                            RandomGenerator random, ClientCertHeader.Policy clientCerts) {
        MultiMap h = MultiMap.caseInsensitiveMultiMap();
        ConnectionOptions hopOnly = request.headers().contains("connection")
                ? ConnectionOptions.of(request.headers().getAll("connection")) : ConnectionOptions.NONE;
        request.headers().forEach(e -> {
            String name = e.getKey();
            if (TE.contentEqualsIgnoreCase(name)) {
                // The one TE HTTP/2 allows, and gRPC requires: the client takes trailers.
                if (e.getValue().trim().equalsIgnoreCase("trailers")) {
                    h.add("te", "trailers");
                }
            } else if (!hopByHop(name) && !name.startsWith(":") && !hopOnly.nominates(name) && !envoyControl(name)) {
                if (COOKIE.contentEqualsIgnoreCase(name) && e.getValue().contains(SESSION_COOKIE)) {
                    String kept = withoutSessionCookie(e.getValue());
                    if (!kept.isEmpty()) {
                        h.add(name, kept);
                    }
                } else {
                    h.add(name, e.getValue());
                }
            }
        });
        h.set("host", route.authorityRewrite() != null ? route.authorityRewrite() : authority);
        if (request.remoteAddress() != null) {
            // Appended to the client's line, as Envoy does: as a second line it was the one backends reading only
            // the first value never saw, so they took the client's own last entry for the proxy's.
            String remote = request.remoteAddress().hostAddress();
            String before = h.contains("x-forwarded-for") ? String.join(",", h.getAll("x-forwarded-for")).trim()
                    : "";
            h.set("x-forwarded-for", before.isEmpty() ? remote : before + "," + remote);
        }
        // The connection's own scheme, as Envoy sets it: an h2c client's :scheme says https over cleartext if it likes.
        h.set("x-forwarded-proto", request.isSSL() ? "https" : "http");
        ClientCertHeader.set(request, h, clientCerts);
        if (!h.contains("x-request-id")) {
            h.set("x-request-id", Long.toHexString(random.nextLong()));
        }
        HeaderEdits.applyTo(h, route.requestEdits(), target.requestEdits(), route.weighted());
        if (route.authorityRewrite() != null) {
            // Envoy rewrites the host after the header edits: a destination's "set host" does not undo the rewrite.
            h.set("host", route.authorityRewrite());
        }
        return h;
    }

    /**
     * An answer's headers as they go back to the client: all but hop-by-hop ones (named so or by its Connection
     * field) and {@code x-http2-*} (Netty's HTTP/2-to-HTTP conversion notes, the stream id, not the upstream's).
     * Names and values are copied as parsed: no String copy of each.
     */
    static void copyAnswerHeaders(io.netty.handler.codec.http.HttpHeaders upstream, MultiMap into) {
        var connection = io.netty.handler.codec.http.HttpHeaderNames.CONNECTION;
        ConnectionOptions hopOnly = upstream.contains(connection)
                ? ConnectionOptions.of(upstream.getAll(connection)) : ConnectionOptions.NONE;
        for (var i = upstream.iteratorCharSequence(); i.hasNext(); ) {
            var e = i.next();
            CharSequence name = e.getKey();
            if (!hopByHop(name) && !AsciiString.regionMatches(name, true, 0, "x-http2-", 0, 8)
                    && !hopOnly.nominates(name)) {
                into.add(name, e.getValue());
            }
        }
    }

    /**
     * One send of a request upstream (a try or a mirror copy). The buffered body is lent, never given: the encoder
     * releases what it writes, and the body must outlive every try.
     */
    static io.netty.handler.codec.http.FullHttpRequest request(io.vertx.core.http.HttpMethod method, String uri,
                                                               MultiMap headers, io.vertx.core.buffer.Buffer body) {
        var content = body.length() == 0 ? io.netty.buffer.Unpooled.EMPTY_BUFFER
                : io.netty.buffer.Unpooled.unreleasableBuffer(body.getByteBuf());
        return new io.netty.handler.codec.http.DefaultFullHttpRequest(io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
                io.netty.handler.codec.http.HttpMethod.valueOf(method.name()), uri, content, nettyHeaders(headers),
                io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE);
    }

    /**
     * The head of a request whose body streams after it. Its headers are a copy: Netty's HTTP/2 conversion writes
     * into them, and the exchange's map is shared with its mirrors and later tries. A body of unknown length goes
     * chunked (on HTTP/1.1; the HTTP/2 conversion drops the header and frames it).
     */
    static io.netty.handler.codec.http.HttpRequest head(io.vertx.core.http.HttpMethod method, String uri,
                                                        MultiMap headers) {
        var copy = new io.netty.handler.codec.http.DefaultHttpHeaders();
        headers.forEach(e -> copy.add(e.getKey(), e.getValue()));
        if (!copy.contains(io.netty.handler.codec.http.HttpHeaderNames.CONTENT_LENGTH)) {
            copy.set(io.netty.handler.codec.http.HttpHeaderNames.TRANSFER_ENCODING,
                    io.netty.handler.codec.http.HttpHeaderValues.CHUNKED);
        }
        return new io.netty.handler.codec.http.DefaultHttpRequest(io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
                io.netty.handler.codec.http.HttpMethod.valueOf(method.name()), uri, copy);
    }

    /** Netty's view of a header map: Vert.x's own maps are Netty's HttpHeaders underneath, handed over as they are. */
    static io.netty.handler.codec.http.HttpHeaders nettyHeaders(MultiMap headers) {
        if (headers instanceof io.netty.handler.codec.http.HttpHeaders n) {
            return n;
        }
        var copy = new io.netty.handler.codec.http.DefaultHttpHeaders();
        headers.forEach(e -> copy.add(e.getKey(), e.getValue()));
        return copy;
    }

    /** Methods whose requests carry a body by definition: sent upstream with a Content-Length even when empty. */
    static boolean carriesBody(io.vertx.core.http.HttpMethod method) {
        return method == io.vertx.core.http.HttpMethod.POST || method == io.vertx.core.http.HttpMethod.PUT
                || method == io.vertx.core.http.HttpMethod.PATCH;
    }

    /**
     * The Location of a redirect: the parts it sets replace the request's; the query is kept unless it sets one.
     * {@code rewrittenPath}: the request's path and query as the route rewrote them (null: none); {@code port}: the
     * port the request addressed (the listener's, or on the mesh the service's), which {@code FROM_REQUEST_PORT}
     * takes. A port that is its scheme's own (80, 443) is left out.
     */
    static String location(HttpServerRequest request, HttpRedirect r, String authority, String rewrittenPath,
                           int port) {
        String scheme = r.scheme() != null ? r.scheme() : request.scheme();
        String host = r.authority() != null ? r.authority() : HostNames.withoutPort(authority);
        String portPart;
        if (r.port() != null) {
            portPart = portPart(scheme, r.port());
        } else if (r.derivePort() == HttpRedirect.DerivePort.FROM_PROTOCOL_DEFAULT) {
            portPart = "";
        } else if (r.derivePort() == HttpRedirect.DerivePort.FROM_REQUEST_PORT) {
            portPart = portPart(scheme, port);
        } else if (r.authority() != null) {
            portPart = ""; // Envoy: a new host drops the port
        } else {
            // Envoy's processRequestHost: a scheme change drops the old scheme's own port (http://h:80 to https://h).
            String kept = portOf(authority);
            portPart = !scheme.equals(request.scheme())
                    && kept.equals("https".equals(request.scheme()) ? ":443" : ":80") ? "" : kept;
        }
        String query = request.query() == null ? "" : "?" + request.query();
        String path = r.uri() != null ? (r.uri().contains("?") ? r.uri() : r.uri() + query)
                : rewrittenPath != null ? rewrittenPath : request.uri();
        return scheme + "://" + host + portPart + path;
    }

    private static String portPart(String scheme, int port) {
        return port == ("https".equals(scheme) ? 443 : 80) ? "" : ":" + port;
    }

    private static String portOf(String authority) {
        String host = HostNames.withoutPort(authority);
        return authority != null && authority.length() > host.length() ? authority.substring(host.length()) : "";
    }

    /** Whether a missing hash cookie is made by the proxy: Envoy does when the cookie has a ttl. */
    static boolean generatesCookie(ConsistentHashLb hash) {
        return hash != null && hash.httpCookie() != null && hash.httpCookie().ttl() != null;
    }

    /** The Set-Cookie for a made hash cookie: HttpOnly, its path, and Max-Age unless the ttl is 0 (a session cookie). */
    static String setCookie(io.kshift.model.istio.LoadBalancerSettings.HttpCookie cookie, String value) {
        StringBuilder out = new StringBuilder(cookie.name()).append('=').append(value);
        long seconds = io.kshift.model.mesh.IstioDuration.parse(cookie.ttl()).map(java.time.Duration::toSeconds)
                .orElse(0L);
        if (seconds > 0) {
            out.append("; Max-Age=").append(seconds);
        }
        if (cookie.path() != null && !cookie.path().isEmpty()) {
            out.append("; Path=").append(cookie.path());
        }
        for (var a : cookie.attributes()) {
            out.append("; ").append(a.name());
            if (a.value() != null && !a.value().isEmpty()) {
                out.append('=').append(a.value());
            }
        }
        return out.append("; HttpOnly").toString();
    }

    /** The request's key for a consistent-hash load balancer: header, cookie, query parameter or source address. */
    static String hashKey(HttpServerRequest request, ConsistentHashLb hash) {
        if (hash == null) {
            return null;
        }
        if (hash.httpHeaderName() != null) {
            return request.getHeader(hash.httpHeaderName());
        }
        if (hash.httpCookie() != null) {
            var cookie = request.getCookie(hash.httpCookie().name());
            // An empty value is no key (Envoy's cookie hash): every "name=" client on one endpoint, and none given one.
            return cookie == null || cookie.getValue().isEmpty() ? null : cookie.getValue();
        }
        if (hash.httpQueryParameterName() != null) {
            return RequestValues.query(request.uri(), hash.httpQueryParameterName());
        }
        return request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
    }
}
