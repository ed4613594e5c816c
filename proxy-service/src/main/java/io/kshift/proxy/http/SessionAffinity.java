package io.kshift.proxy.http;

import io.kshift.model.gateway.SessionPersistence;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * GEP-1619 session persistence compiled for one route: the session an answer carries (a cookie, or a header) names
 * the endpoint that served it, and a request carrying it goes to that endpoint, of whichever of the route's backends
 * holds it, while the endpoint serves the route and is not ejected and the session has not expired; weights decide
 * only new sessions. A session is {@code token.start.last} in hex: the token a hash of the backend's key and the
 * endpoint's address (the same on every node, so a client whose connections land on another node keeps its endpoint;
 * addresses are not shown to clients), {@code start} and {@code last} in epoch seconds for {@code absoluteTimeout} and
 * {@code idleTimeout}. Pure: values and times in, pins and values out.
 */
final class SessionAffinity {
    /** Where a request's session sends it: the route's target and the endpoint's offset in its picker. */
    record Pin(int target, int endpoint, long start, long token) {
    }

    private final boolean header;
    private final String name;
    private final long absolute;
    private final long idle;
    private final boolean permanent;
    private final String path;
    /** Every endpoint of every target by its token: {target, endpoint offset}. */
    private final Map<Long, int[]> byToken = new HashMap<>();

    private SessionAffinity(SessionPersistence p, String name, List<HttpTarget> targets, String path) {
        this.header = p.header();
        this.name = name;
        this.absolute = seconds(p.absoluteTimeout());
        this.idle = seconds(p.idleTimeout());
        this.permanent = p.permanent();
        this.path = path;
        for (int t = 0; t < targets.size(); t++) {
            var upstreams = targets.get(t).endpoints().upstreams();
            for (int e = 0; e < upstreams.size(); e++) {
                byToken.putIfAbsent(token(targets.get(t), e), new int[] {t, e});
            }
        }
    }

    /** Null without session persistence; the cookie's (or header's) name and the cookie's Path are the rule's. */
    static SessionAffinity of(io.kshift.model.routing.HttpBindings.RuleSession rule, List<HttpTarget> targets) {
        return rule == null ? null : new SessionAffinity(rule.persistence(), rule.name(), targets, rule.cookiePath());
    }

    /** The answer's header that carries a session: the session's own name, or Set-Cookie. */
    String answerHeader() {
        return header ? name : "set-cookie";
    }

    /** Where the request's session pins it at {@code now}, while that endpoint is not ejected; null otherwise. */
    Pin pinned(io.vertx.core.http.HttpServerRequest request, List<HttpTarget> targets, long now) {
        String value;
        if (header) {
            value = request.getHeader(name);
        } else {
            var cookie = request.getCookie(name);
            value = cookie == null ? null : cookie.getValue();
        }
        Pin found = find(value, now);
        if (found == null) {
            return null;
        }
        var endpoints = targets.get(found.target()).endpoints();
        return endpoints.healthy(endpoints.get(found.endpoint())) ? found : null;
    }

    /** The pin a request's session value names at {@code now}; null when it names none here, or has expired. */
    Pin find(String value, long now) {
        if (value == null) {
            return null;
        }
        String[] parts = value.split("\\.", -1);
        if (parts.length != 3) {
            return null;
        }
        long token;
        long start;
        long last;
        try {
            token = Long.parseUnsignedLong(parts[0], 16);
            start = Long.parseLong(parts[1], 16);
            last = Long.parseLong(parts[2], 16);
        } catch (NumberFormatException e) {
            return null;
        }
        int[] at = byToken.get(token);
        if (at == null || absolute > 0 && now - start >= absolute || idle > 0 && now - last >= idle) {
            return null;
        }
        return new Pin(at[0], at[1], start, token);
    }

    /**
     * What the answer carries for a request served by {@code endpoint} of {@code target}: a new session where the
     * request had none for it ({@code pinned} null, or another endpoint served it after a failure), the same one
     * with its last use moved on where an idle timeout needs that, else null (nothing to send).
     */
    String answer(HttpTarget target, int offset, Pin pinned, long now) {
        long token = token(target, Math.floorMod(offset, target.endpoints().size()));
        // By token: two backendRefs naming one Service reach the same endpoints, and either may serve a session.
        boolean same = pinned != null && pinned.token() == token;
        if (same && idle == 0) {
            return null;
        }
        long start = same ? pinned.start() : now;
        String value = Long.toHexString(token) + "." + Long.toHexString(start) + "." + Long.toHexString(now);
        if (header) {
            return value;
        }
        StringBuilder cookie = new StringBuilder(name).append('=').append(value).append("; Path=").append(path)
                .append("; HttpOnly");
        if (permanent && absolute > 0) {
            cookie.append("; Max-Age=").append(Math.max(0, absolute - (now - start)));
        }
        return cookie.toString();
    }

    private static long token(HttpTarget target, int endpoint) {
        return io.kshift.proxy.routing.EndpointPicker.mix(target.destination().key() + "|"
                + target.endpoints().get(endpoint).address());
    }

    /** The answer's session, when it carries one ({@link #answer}), added to its headers. */
    void carry(io.vertx.core.MultiMap headers, HttpTarget target, int offset, Pin pinned, long now) {
        String session = answer(target, offset, pinned, now);
        if (session != null) {
            headers.add(answerHeader(), session);
        }
    }

    private static long seconds(String duration) {
        // Zero is no timeout (as unset); anything shorter than a second is one.
        return io.kshift.model.mesh.IstioDuration.parse(duration).filter(d -> !d.isZero())
                .map(d -> Math.max(1, d.toSeconds())).orElse(0L);
    }
}
