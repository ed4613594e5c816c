package io.kshift.proxy.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.List;

/**
 * HTTP/1 requests whose framing two parsers could read differently, refused as Envoy's HTTP/1 codec refuses them,
 * before anything of theirs is routed or copied. Netty drops {@code Content-Length} beside chunking on HTTP/1.1
 * only: an HTTP/1.0 request with both kept the client's length while its body was read as chunks, and went upstream
 * with that length and the whole decoded body, so the upstream took the rest for a next request of the client's
 * making on a pooled connection (request smuggling). A transfer coding other than {@code chunked} alone has no
 * framing Netty reads (the body was read as the client's next request), and an HTTP/1.1 request without Host names
 * no virtual host (RFC 9112 §3.2 asks for 400).
 */
final class Http1Framing {
    /** Marks a refused request's connection: nothing after it on the connection is read or routed. */
    private static final io.netty.util.AttributeKey<Boolean> REFUSED = io.netty.util.AttributeKey.valueOf(
            "kshift.framing-refused");

    private Http1Framing() {
    }

    /** Why a request cannot be forwarded, with the status to answer it; the connection is closed after it. */
    record Refusal(int status, String reason) {
    }

    /** Why {@code request} cannot be forwarded, or null: always null for HTTP/2 ({@link Http2RequestCheck}). */
    static Refusal refused(HttpServerRequest request) {
        if (request.version() == HttpVersion.HTTP_2) {
            return null;
        }
        var headers = request.headers();
        if (headers.contains("transfer-encoding")) {
            List<String> codings = headers.getAll("transfer-encoding");
            if (headers.contains("content-length")) {
                return new Refusal(400, "both Transfer-Encoding and Content-Length are set");
            }
            if (codings.size() > 1 || !codings.get(0).trim().equalsIgnoreCase("chunked")) {
                return new Refusal(501, "transfer coding other than chunked: " + String.join(", ", codings));
            }
        }
        if (request.version() == HttpVersion.HTTP_1_1 && !headers.contains("host")) {
            return new Refusal(400, "no Host header");
        }
        return null;
    }

    /** Marks a refused request's connection and stops reading it: nothing after it on it is read or routed. */
    static void refuseConnection(HttpServerRequest request) {
        if (request.connection() instanceof io.vertx.core.net.impl.ConnectionBase c) {
            c.channel().attr(REFUSED).set(Boolean.TRUE);
            c.channel().config().setAutoRead(false);
        }
    }

    /**
     * Whether {@code request} came on a connection a refused request was on: one already parsed from the same
     * bytes (Vert.x hands a pipelined request on once the refusal's answer ends), which is reset, not routed.
     */
    static boolean refusedBefore(HttpServerRequest request) {
        if (request.version() != HttpVersion.HTTP_2
                && request.connection() instanceof io.vertx.core.net.impl.ConnectionBase c
                && c.channel().hasAttr(REFUSED)) {
            request.connection().close();
            return true;
        }
        return false;
    }
}
