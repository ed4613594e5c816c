package io.kshift.proxy.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * The answers the proxy writes itself, as Envoy's local replies: a CORS preflight, a redirect, a direct response, a
 * gRPC fault abort, and its own error text. They write the response only; the exchange keeps its state and counts
 * them. Static: they hold no state of their own.
 */
final class LocalReplies {
    private LocalReplies() {
    }

    /**
     * A preflight the route's CORS policy answers here, ahead of faults as in Envoy's filter chain: 200, with the
     * policy's headers when the origin is allowed ({@code origin} not null).
     */
    static void preflight(HttpServerRequest request, HttpServerResponse response, Cors cors, String origin) {
        if (origin != null) {
            cors.preflight(response.headers(), origin, request);
        }
        response.setStatusCode(200).end();
    }

    /**
     * What the route's CORS policy says on an answer, the upstream's or the proxy's own (an abort, a redirect, a 503
     * or 504): Envoy's CORS filter sits ahead of faults and the router, so their local replies pass through it.
     */
    static void corsHeaders(HttpServerRequest request, HttpServerResponse response, Cors cors, String origin) {
        if (origin != null) {
            cors.actual(response.headers(), origin);
        } else if (cors != null && request.getHeader("origin") != null) {
            // The answer depends on the origin either way: caches must not hand this one to an allowed origin.
            response.headers().add("vary", "Origin");
        }
    }

    /**
     * The route's redirect; with a path rewrite (the Gateway API's ReplacePrefixMatch) it points at the new path. The
     * route's response header edits apply, as Envoy's route applies them to its redirects (a redirect to HTTPS that
     * sets Strict-Transport-Security, say).
     */
    static void redirect(HttpServerRequest request, HttpServerResponse response, HttpRouteEntry route,
                         String requestUri, MatchBlock matched, String authority, int port) {
        String path = route.rewrite() == null ? requestUri : route.rewrite().apply(requestUri, matched);
        route.responseEdits().applyTo(response.headers());
        response.setStatusCode(route.redirect().code())
                .putHeader("location", UpstreamRequests.location(request, route.redirect(), authority, path, port))
                .end();
    }

    /**
     * A gRPC abort, as Envoy's fault filter answers it: HTTP 200, trailers-only (the status in the headers), so the
     * client's call fails with that status.
     */
    static void grpcAbort(HttpServerResponse response, int code, String flags) {
        grpc(response, code, "fault filter abort", flags);
    }

    /**
     * The proxy's own answer to a gRPC call, as Envoy's local replies to one: HTTP 200, trailers-only, the status and
     * the reason in {@code grpc-status} and {@code grpc-message} (percent-encoded, as gRPC asks).
     */
    static void grpc(HttpServerResponse response, int code, String message, String flags) {
        response.setStatusCode(200).putHeader("content-type", "application/grpc")
                .putHeader("grpc-status", String.valueOf(code)).putHeader("grpc-message", percentEncoded(message))
                .putHeader(ResponseFlags.HEADER, flags).end();
    }

    /** gRPC's grpc-message encoding: printable ASCII but '%' as is, every other byte of its UTF-8 as %XX. */
    static String percentEncoded(String message) {
        StringBuilder out = new StringBuilder(message.length());
        for (byte b : message.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 0x20 && c <= 0x7e && c != '%') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /**
     * The route's direct response: its status and body, nothing forwarded (as Envoy's direct_response). The CORS
     * headers go on between the route's edits and the flags, as on every answer.
     */
    static void direct(HttpServerRequest request, HttpServerResponse response, HttpRouteEntry route, String corsOrigin,
                       String flags) {
        HttpRouteEntry.Direct d = route.direct();
        // 204 and 304 answers have no body (HTTP/1.1 would read one as the next answer's start).
        boolean body = d.body().length > 0 && d.status() != 204 && d.status() != 304;
        if (body) {
            response.putHeader("content-type", "text/plain"); // as Envoy's local reply: the route's edits may replace it
        }
        route.responseEdits().applyTo(response.headers());
        corsHeaders(request, response, route.cors(), corsOrigin);
        if (flags != null) {
            response.putHeader(ResponseFlags.HEADER, flags);
        }
        response.setStatusCode(d.status());
        if (body) {
            response.end(Buffer.buffer(d.body()));
        } else {
            response.headers().remove("content-type");
            response.end();
        }
    }

    /** The proxy's own error answer, with its response flags, as plain text. */
    static void text(HttpServerResponse response, int status, String flags, String text) {
        response.setStatusCode(status).putHeader(ResponseFlags.HEADER, flags)
                .putHeader("content-type", "text/plain").end(text);
    }
}
