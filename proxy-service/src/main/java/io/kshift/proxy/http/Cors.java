package io.kshift.proxy.http;

import io.kshift.model.istio.CorsPolicy;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.List;

/**
 * A route's CORS policy as Envoy's CORS filter serves it. A request with an {@code Origin} the policy allows: a
 * preflight ({@code OPTIONS} with {@code Access-Control-Request-Method}) is answered here, 200 with what may be
 * sent, and not forwarded; any other request is forwarded and its response told the origin may read it (and which
 * headers it may see). A request from another origin gets no CORS headers; its preflight is forwarded upstream,
 * or answered here without them when {@code unmatchedPreflights: IGNORE}. The origin is echoed, never {@code *},
 * so the answer is valid with credentials too, and {@code Vary: Origin} keeps caches from mixing origins.
 */
record Cors(List<StringMatcher> origins, String methods, String headers, String expose, String maxAge,
            boolean credentials, boolean ignoreUnmatchedPreflights) {

    static Cors of(CorsPolicy p) {
        if (p == null) {
            return null;
        }
        Duration age = p.maxAge() == null ? null : HttpTableBuilder.duration(p.maxAge());
        return new Cors(p.allowOrigins().stream().map(m -> StringMatcher.of(m, false)).toList(),
                String.join(",", p.allowMethods()), String.join(",", p.allowHeaders()),
                String.join(",", p.exposeHeaders()), age == null ? null : String.valueOf(age.toSeconds()),
                Boolean.TRUE.equals(p.allowCredentials()),
                p.unmatchedPreflights() == CorsPolicy.UnmatchedPreflights.IGNORE);
    }

    /**
     * The request's origin when this policy allows it; null when it has none or another. A matcher that takes the
     * literal {@code *} ({@code exact: "*"}, the form most copied) allows every origin, as Envoy's filter tests
     * {@code *} before the origin itself.
     */
    String allowedOrigin(HttpServerRequest request) {
        String origin = request.getHeader("origin");
        return origin != null && origins.stream().anyMatch(m -> m.test("*") || m.test(origin)) ? origin : null;
    }

    static boolean isPreflight(HttpServerRequest request) {
        return request.method() == HttpMethod.OPTIONS && request.getHeader("origin") != null
                && request.getHeader("access-control-request-method") != null;
    }

    /**
     * The headers of a preflight's answer for {@code origin}. {@code *} is answered with what the preflight asks
     * for, as Envoy's filter does: with credentials a browser reads {@code *} as a name, and never as covering
     * {@code Authorization}, so a literal {@code *} failed every preflight of a client sending a bearer token.
     */
    void preflight(MultiMap headers, String origin, HttpServerRequest request) {
        headers.set("access-control-allow-origin", origin);
        put(headers, "access-control-allow-methods", "*".equals(methods)
                ? request.getHeader("access-control-request-method") : methods);
        put(headers, "access-control-allow-headers", "*".equals(this.headers)
                ? request.getHeader("access-control-request-headers") : this.headers);
        put(headers, "access-control-max-age", maxAge);
        if (credentials) {
            headers.set("access-control-allow-credentials", "true");
        }
        headers.add("vary", "Origin");
    }

    /** What an actual response tells the browser about {@code origin}. */
    void actual(MultiMap headers, String origin) {
        headers.set("access-control-allow-origin", origin);
        put(headers, "access-control-expose-headers", expose);
        if (credentials) {
            headers.set("access-control-allow-credentials", "true");
        }
        headers.add("vary", "Origin");
    }

    private static void put(MultiMap headers, String name, String value) {
        if (value != null && !value.isEmpty()) {
            headers.set(name, value);
        }
    }
}
