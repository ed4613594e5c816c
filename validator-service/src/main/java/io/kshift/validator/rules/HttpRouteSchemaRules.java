package io.kshift.validator.rules;

import io.kshift.model.gateway.HttpRouteFilter;
import io.kshift.model.gateway.HttpRouteMatch;
import io.kshift.model.gateway.HttpRouteRule;
import io.kshift.model.resource.ResourceKey;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Gateway API's own checks on an HTTPRoute rule that its CRD makes (CEL rules and list keys), which a
 * Kubernetes API server would refuse a route for: kshift has no API server in front of it, so it makes them here,
 * with the same reasons. Without them a path {@code foo} (never matching, as no request path lacks its leading
 * {@code /}) or two URLRewrite filters (one silently winning) were accepted.
 */
final class HttpRouteSchemaRules {
    /** Filters a rule may carry at most once (RequestMirror may repeat). */
    private static final Set<HttpRouteFilter.Type> ONCE = Set.of(HttpRouteFilter.Type.RequestHeaderModifier,
            HttpRouteFilter.Type.ResponseHeaderModifier, HttpRouteFilter.Type.RequestRedirect,
            HttpRouteFilter.Type.URLRewrite);
    /** Substrings an Exact or PathPrefix value must not hold: each makes a path no normalized request has. */
    private static final List<String> NOT_IN_PATH = List.of("//", "/./", "/../", "%2f", "%2F", "#");
    private static final int MAX_PATH = 1024;

    private HttpRouteSchemaRules() {
    }

    /**
     * The route's own rules, checked when it is applied (with the field rules: they read nothing but the route), so a
     * route accepted before a check was added does not block every later change that re-checks all routes.
     */
    static void check(io.kshift.model.resource.Resource route, Findings findings) {
        var spec = io.kshift.model.routing.GatewayApiHttp.spec(route);
        for (int i = 0; i < spec.rules().size(); i++) {
            check(route.key(), spec.rules().get(i), "spec.rules[" + i + "]",
                    route.type() == io.kshift.model.resource.Kind.HTTP_ROUTE, findings);
        }
    }

    /**
     * The route's hostnames against the CRD's pattern: "*", a port or an upper-case name would be accepted and then
     * match nothing, or another name. For a route the change writes (ChangeValidator), as this came after routes were
     * accepted without it.
     */
    static void hostnames(io.kshift.model.resource.Resource route, Findings findings) {
        List<String> hostnames = io.kshift.model.routing.GatewayApiHttp.spec(route).hostnames();
        for (int i = 0; i < hostnames.size(); i++) {
            String h = hostnames.get(i);
            if (!BackendTlsPolicyRules.hostname(h, true)) {
                findings.error(route.key(), "spec.hostnames[" + i + "]", "'" + h + "' is not a lower-case host name"
                        + " or a '*.' wildcard (the CRD's pattern; no port, no '*' alone)");
            }
        }
    }

    /** {@code paths}: false for a GRPCRoute, whose paths kshift makes from its method matches. */
    private static void check(ResourceKey key, HttpRouteRule rule, String field, boolean paths, Findings findings) {
        filters(key, rule.filters(), field + ".filters", findings);
        session(key, rule.sessionPersistence(), field + ".sessionPersistence", findings);
        for (int m = 0; m < rule.matches().size(); m++) {
            HttpRouteMatch match = rule.matches().get(m);
            String at = field + ".matches[" + m + "]";
            if (paths && match.path() != null) {
                path(key, match.path(), at + ".path.value", findings);
            }
            uniqueNames(key, match.headers(), at + ".headers", true, findings);
            uniqueNames(key, match.queryParams(), at + ".queryParams", false, findings);
        }
    }

    /**
     * GEP-1619's rule (the CRD's): a Permanent cookie needs an absoluteTimeout (its Max-Age). kshift's: the session's
     * name must be a token, as a cookie's or header's name is (the proxy could not write another); a cookieConfig
     * beside {@code type: Header} is said to do nothing.
     */
    private static void session(ResourceKey key, io.kshift.model.gateway.SessionPersistence p, String field,
                                Findings findings) {
        if (p == null) {
            return;
        }
        if (p.permanent() && p.absoluteTimeout() == null) {
            findings.error(key, field + ".absoluteTimeout", "must be specified when cookie lifetimeType is Permanent");
        } else if (p.permanent() && io.kshift.model.mesh.IstioDuration.parse(p.absoluteTimeout())
                .filter(java.time.Duration::isZero).isPresent()) {
            findings.warn(key, field + ".absoluteTimeout", "0s is no timeout: the Permanent cookie has no Max-Age"
                    + " and lasts as a browser session's would");
        }
        if (p.cookieConfig() != null && p.header()) {
            findings.warn(key, field + ".cookieConfig", "ignored: it configures cookies, and this session is a header");
        }
        if (p.sessionName() != null && !p.sessionName().isEmpty()
                && !io.kshift.model.constraint.HeaderFields.Text.token(p.sessionName())) {
            findings.error(key, field + ".sessionName", "must be a " + (p.header() ? "header" : "cookie")
                    + " name: letters, digits and !#$%&'*+-.^_`|~ (no spaces, ';', '=' or ':')");
        }
    }

    /** A rule's or a backend's filters: each type once (RequestMirror may repeat), no redirect with a rewrite. */
    static void filters(ResourceKey key, List<HttpRouteFilter> filters, String field, Findings findings) {
        Map<HttpRouteFilter.Type, Integer> seen = new EnumMap<>(HttpRouteFilter.Type.class);
        for (int f = 0; f < filters.size(); f++) {
            HttpRouteFilter.Type type = filters.get(f).type();
            if (type == null) {
                continue; // reported as a missing field
            }
            HttpRouteFilter filter = filters.get(f);
            modifier(key, filter.requestHeaderModifier(), field + "[" + f + "].requestHeaderModifier", findings);
            modifier(key, filter.responseHeaderModifier(), field + "[" + f + "].responseHeaderModifier", findings);
            Integer first = seen.putIfAbsent(type, f);
            if (first != null && ONCE.contains(type)) {
                findings.error(key, field + "[" + f + "].type", type + " filter cannot be repeated (filters[" + first
                        + "] is one already)");
            }
        }
        if (seen.containsKey(HttpRouteFilter.Type.RequestRedirect) && seen.containsKey(HttpRouteFilter.Type.URLRewrite)) {
            findings.error(key, field + "[" + seen.get(HttpRouteFilter.Type.URLRewrite) + "].type",
                    "a rule may have a RequestRedirect or a URLRewrite filter, not both");
        }
    }

    /** A header modifier's {@code set} and {@code add}: a name again, in any case, is one the API ignores. */
    private static void modifier(ResourceKey key, HttpRouteFilter.HeaderModifier m, String field, Findings findings) {
        if (m == null) {
            return;
        }
        for (var list : List.of(Map.entry("set", m.set()), Map.entry("add", m.add()))) {
            Map<String, String> folded = new java.util.HashMap<>();
            for (int i = 0; i < list.getValue().size(); i++) {
                String name = list.getValue().get(i).name();
                String first = name == null ? null : folded.putIfAbsent(name.toLowerCase(java.util.Locale.ROOT), name);
                if (first != null) {
                    findings.warn(key, field + "." + list.getKey() + "[" + i + "].name", "'" + name + "' is header '"
                            + first + "' again (header names are not case-sensitive): only the first is used");
                }
            }
        }
    }

    private static void path(ResourceKey key, HttpRouteMatch.PathMatch path, String field, Findings findings) {
        String value = path.effectiveValue();
        if (value.length() > MAX_PATH) {
            findings.error(key, field, "must be at most " + MAX_PATH + " characters");
        }
        if (path.effectiveType() == HttpRouteMatch.PathType.RegularExpression) {
            return;
        }
        String type = path.effectiveType().name();
        if (!value.startsWith("/")) {
            findings.error(key, field, "'" + value + "' must be an absolute path starting with '/' for type " + type);
            return;
        }
        for (String bad : NOT_IN_PATH) {
            if (value.contains(bad)) {
                findings.error(key, field, "'" + value + "' must not contain '" + bad + "' for type " + type);
            }
        }
        if (value.endsWith("/..") || value.endsWith("/.")) {
            findings.error(key, field, "'" + value + "' must not end with '/.' or '/..' for type " + type);
        }
    }

    /**
     * Header and query parameter matches are lists keyed by name in the CRD: a name once per match. Header names
     * that differ only in case pass the CRD and are one name to the API, which considers only the first: warned.
     */
    private static void uniqueNames(ResourceKey key, List<HttpRouteMatch.ValueMatch> values, String field,
                                    boolean caseless, Findings findings) {
        Set<String> names = new HashSet<>();
        java.util.Map<String, String> folded = new java.util.HashMap<>();
        for (int i = 0; i < values.size(); i++) {
            String name = values.get(i).name();
            if (name != null && !names.add(name)) {
                findings.error(key, field + "[" + i + "].name", "'" + name + "' is matched twice in this match");
            } else if (name != null && caseless) {
                String first = folded.putIfAbsent(name.toLowerCase(java.util.Locale.ROOT), name);
                if (first != null) {
                    findings.warn(key, field + "[" + i + "].name", "'" + name + "' is header '" + first
                            + "' again (header names are not case-sensitive): only the first is matched");
                }
            }
        }
    }
}
