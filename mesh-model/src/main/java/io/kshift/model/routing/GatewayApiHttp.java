package io.kshift.model.routing;

import io.kshift.model.gateway.BackendRef;
import io.kshift.model.gateway.HttpRouteFilter;
import io.kshift.model.gateway.HttpRouteFilter.PathModifier;
import io.kshift.model.gateway.HttpRouteMatch;
import io.kshift.model.gateway.HttpRouteRule;
import io.kshift.model.istio.Destination;
import io.kshift.model.istio.HeaderOperations;
import io.kshift.model.istio.Headers;
import io.kshift.model.istio.HttpDirectResponse;
import io.kshift.model.istio.HttpMatchRequest;
import io.kshift.model.istio.HttpMirrorPolicy;
import io.kshift.model.istio.HttpRedirect;
import io.kshift.model.istio.HttpRetry;
import io.kshift.model.istio.HttpRewrite;
import io.kshift.model.istio.HttpRoute;
import io.kshift.model.istio.HttpRouteDestination;
import io.kshift.model.istio.Percent;
import io.kshift.model.istio.PortSelector;
import io.kshift.model.istio.StringMatch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.kshift.model.regex.Re2;

/**
 * Gateway API HTTPRoute rules in Istio's http route model, so the proxy compiles one kind of route (as Istio's own
 * control plane does). Gateway API semantics kept: {@code PathPrefix} matches whole path segments, backend weights
 * default to 1, a redirect defaults to 302, and {@code backendRequest} bounds each try.
 */
public final class GatewayApiHttp {
    private GatewayApiHttp() {
    }

    /** The routes served as HTTPRoutes: HTTPRoutes, then GRPCRoutes. */
    public static List<io.kshift.model.resource.Resource> routes(io.kshift.model.mesh.MeshConfig config) {
        List<io.kshift.model.resource.Resource> grpc = config.ofKind(io.kshift.model.resource.Kind.GRPC_ROUTE);
        if (grpc.isEmpty()) {
            return config.ofKind(io.kshift.model.resource.Kind.HTTP_ROUTE);
        }
        List<io.kshift.model.resource.Resource> out = new ArrayList<>(
                config.ofKind(io.kshift.model.resource.Kind.HTTP_ROUTE));
        out.addAll(grpc);
        return out;
    }

    /** An HTTPRoute's spec, or the HTTPRoute a GRPCRoute is served as. */
    public static io.kshift.model.gateway.HttpRouteSpec spec(io.kshift.model.resource.Resource route) {
        return route.type() == io.kshift.model.resource.Kind.GRPC_ROUTE
                ? route.specAs(io.kshift.model.gateway.GrpcRouteSpec.class).asHttpRoute()
                : route.specAs(io.kshift.model.gateway.HttpRouteSpec.class);
    }

    public static HttpRoute toIstio(HttpRouteRule rule, String namespace) {
        List<HttpMatchRequest> match = rule.matches().stream().map(GatewayApiHttp::match).toList();
        String prefix = rule.matches().size() == 1 ? prefixOf(rule.matches().get(0)) : null;
        HeaderOperations request = null;
        HeaderOperations response = null;
        HttpRedirect redirect = null;
        HttpRewrite rewrite = null;
        io.kshift.model.istio.CorsPolicy cors = null;
        List<HttpMirrorPolicy> mirrors = new ArrayList<>();
        for (HttpRouteFilter f : rule.filters()) {
            switch (f.type()) {
                case RequestHeaderModifier -> request = headers(f.requestHeaderModifier());
                case ResponseHeaderModifier -> response = headers(f.responseHeaderModifier());
                case RequestMirror -> mirrors.add(new HttpMirrorPolicy(destination(f.requestMirror().backendRef(),
                        namespace), f.requestMirror().share() == null ? null
                        : new Percent(f.requestMirror().share())));
                case RequestRedirect -> {
                    redirect = redirect(f.requestRedirect());
                    if (f.requestRedirect().path() != null && f.requestRedirect().path().type()
                            == HttpRouteFilter.PathModifierType.ReplacePrefixMatch) {
                        // The matched prefix replaced, as a rewrite would: the redirect points at the rewritten path.
                        rewrite = rewrite(new HttpRouteFilter.UrlRewrite(null, f.requestRedirect().path()), prefix);
                    }
                }
                case URLRewrite -> rewrite = rewrite(f.urlRewrite(), prefix);
                case CORS -> cors = cors(f.cors());
            }
        }
        // The Gateway API: a backend of weight 0 gets no traffic, even alone (where Istio's lone destination takes
        // all whatever its weight); a rule whose every backend has weight 0 forwards nothing and answers 500.
        List<HttpRouteDestination> route = rule.backendRefs().stream().filter(b -> b.effectiveWeight() > 0)
                .map(b -> new HttpRouteDestination(destination(b, namespace), b.effectiveWeight(), backendHeaders(b)))
                .toList();
        String timeout = rule.timeouts() == null ? null : rule.timeouts().request();
        HttpRetry retries = retries(rule);
        if (retries != null && retries.attempts() != null && retries.attempts() == 0
                && retries.perTryTimeout() != null) {
            // One try (no retry, or attempts: 0): the backend request timeout bounds it as the request's would
            // (Istio's retries carry no per-try timeout without attempts, so it cannot go there).
            timeout = shorter(timeout, retries.perTryTimeout());
            retries = new HttpRetry(0, null, retries.retryOn(), retries.backoff());
        }
        Headers headers = request == null && response == null ? null : new Headers(request, response);
        // The API: a rule that neither forwards nor redirects answers 500.
        HttpDirectResponse direct = route.isEmpty() && redirect == null ? new HttpDirectResponse(500, null) : null;
        return new HttpRoute(rule.name(), match, route, redirect, rewrite, timeout, retries, null, null, null, mirrors,
                headers, cors, direct);
    }

    /**
     * A rule's retry and backend request timeout as Istio's retries. With a {@code retry} (GEP-1731): its codes, and
     * connection errors (a failed connect, a refused stream, a reset or a try's timeout) as the API asks, at most
     * {@code attempts} times (2 when unset), each try bounded by {@code timeouts.backendRequest}, each retry after
     * {@code backoff} at least. Without one, a backend request timeout alone bounds the one try; with neither,
     * Istio's default retries apply, as Istio applies them to HTTPRoutes.
     */
    /** The shorter of two durations, either unset or 0s (none). */
    private static String shorter(String a, String b) {
        var da = io.kshift.model.mesh.IstioDuration.parse(a == null ? "" : a).filter(d -> !d.isZero());
        var db = io.kshift.model.mesh.IstioDuration.parse(b == null ? "" : b).filter(d -> !d.isZero());
        if (da.isEmpty()) {
            return db.isEmpty() ? a : b;
        }
        return db.isPresent() && db.get().compareTo(da.get()) < 0 ? b : a;
    }

    private static HttpRetry retries(HttpRouteRule rule) {
        String perTry = rule.timeouts() == null ? null : rule.timeouts().backendRequest();
        if (perTry != null && io.kshift.model.mesh.IstioDuration.parse(perTry).filter(java.time.Duration::isZero)
                .isPresent()) {
            perTry = null; // 0s: none, as if unset (else it would turn Istio's default retries off)
        }
        HttpRouteRule.Retry retry = rule.retry();
        if (retry == null) {
            return perTry == null ? null : new HttpRetry(0, perTry, null);
        }
        StringBuilder on = new StringBuilder("connect-failure,refused-stream,reset");
        retry.codes().stream().distinct().sorted().forEach(code -> on.append(',').append(code));
        return new HttpRetry(retry.attempts() == null ? 2 : retry.attempts(), perTry, on.toString(),
                retry.backoff());
    }

    /**
     * The CORS filter as Istio's corsPolicy: each origin an exact match, or for {@code *} and {@code *.} hosts a
     * regex (one or more characters where the {@code *} is); maxAge in seconds, 5 when unset (the API's default).
     */
    static io.kshift.model.istio.CorsPolicy cors(HttpRouteFilter.Cors c) {
        List<StringMatch> origins = c.allowOrigins().stream().map(o -> o.contains("*")
                ? new StringMatch(null, null, java.util.Arrays.stream(o.split("\\*", -1))
                        .map(io.kshift.model.regex.Re2::quote)
                        .collect(java.util.stream.Collectors.joining(".+")))
                : StringMatch.exact(o)).toList();
        return new io.kshift.model.istio.CorsPolicy(origins, c.allowMethods(), c.allowHeaders(), c.exposeHeaders(),
                (c.maxAge() == null ? 5 : c.maxAge()) + "s", c.allowCredentials(), null);
    }

    /** A Service backend as an Istio destination: {@code name.namespace} on the backend's port. */
    static Destination destination(BackendRef b, String routeNamespace) {
        String ns = b.namespace() == null ? routeNamespace : b.namespace();
        return new Destination(b.name() + "." + ns, null, b.port() == null ? null : new PortSelector(b.port()));
    }

    private static HttpMatchRequest match(HttpRouteMatch m) {
        StringMatch uri = null;
        if (m.path() != null) {
            String value = m.path().effectiveValue();
            uri = switch (m.path().effectiveType()) {
                case Exact -> StringMatch.exact(value);
                case RegularExpression -> new StringMatch(null, null, value);
                case PathPrefix -> "/".equals(value) ? null : new StringMatch(null, null, segmentPrefix(value));
            };
        }
        return new HttpMatchRequest(null, uri, null, m.method() == null ? null : StringMatch.exact(m.method()), null,
                values(m.headers(), true), null, values(m.queryParams(), false), null, null, null);
    }

    /** Gateway API: {@code /foo} matches {@code /foo} and {@code /foo/bar}, never {@code /foobar}. */
    private static String segmentPrefix(String prefix) {
        String trimmed = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        return Re2.quote(trimmed) + "(/.*)?";
    }

    private static String prefixOf(HttpRouteMatch m) {
        return m.path() != null && m.path().effectiveType() == HttpRouteMatch.PathType.PathPrefix
                ? m.path().effectiveValue() : null;
    }

    /**
     * {@code caseless}: header names, where the API says {@code Foo} and {@code foo} are one name and only the first
     * entry of a name counts (query parameter names are compared as written).
     */
    private static Map<String, StringMatch> values(List<HttpRouteMatch.ValueMatch> matches, boolean caseless) {
        Map<String, StringMatch> out = new LinkedHashMap<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (HttpRouteMatch.ValueMatch v : matches) {
            if (seen.add(caseless ? v.name().toLowerCase(java.util.Locale.ROOT) : v.name())) {
                out.put(v.name(), v.type() == HttpRouteMatch.ValueType.RegularExpression
                        ? new StringMatch(null, null, v.value()) : StringMatch.exact(v.value()));
            }
        }
        return out;
    }

    /** The first entry of each header name, names compared without case (the API's rule for set and add). */
    private static Map<String, String> firstOfEachName(List<HttpRouteFilter.Header> headers) {
        Map<String, String> out = new LinkedHashMap<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        headers.forEach(h -> {
            if (seen.add(h.name().toLowerCase(java.util.Locale.ROOT))) {
                out.put(h.name(), h.value());
            }
        });
        return out;
    }

    /**
     * A backend's own header modifiers, as Istio's headers of one destination: applied only to requests sent to it
     * (after the rule's) and to its answers. The validator takes no other filter on a backend.
     */
    private static Headers backendHeaders(BackendRef b) {
        HeaderOperations request = null;
        HeaderOperations response = null;
        for (HttpRouteFilter f : b.filters()) {
            if (f.type() == HttpRouteFilter.Type.RequestHeaderModifier) {
                request = headers(f.requestHeaderModifier());
            } else if (f.type() == HttpRouteFilter.Type.ResponseHeaderModifier) {
                response = headers(f.responseHeaderModifier());
            }
        }
        return request == null && response == null ? null : new Headers(request, response);
    }

    private static HeaderOperations headers(HttpRouteFilter.HeaderModifier m) {
        return new HeaderOperations(firstOfEachName(m.set()), firstOfEachName(m.add()), m.remove());
    }

    private static HttpRedirect redirect(HttpRouteFilter.RequestRedirect r) {
        String path = r.path() == null || r.path().type() != HttpRouteFilter.PathModifierType.ReplaceFullPath ? null
                : r.path().replaceFullPath();
        // The API's port rules: a scheme given, its well-known port (left out of the URL); else the listener's, the
        // request's (left out when it is the scheme's own).
        HttpRedirect.DerivePort derive = r.port() != null ? null : r.scheme() != null
                ? HttpRedirect.DerivePort.FROM_PROTOCOL_DEFAULT : HttpRedirect.DerivePort.FROM_REQUEST_PORT;
        return new HttpRedirect(path, r.hostname(), r.port(), r.scheme(),
                r.statusCode() == null ? 302 : r.statusCode(), derive);
    }

    private static HttpRewrite rewrite(HttpRouteFilter.UrlRewrite r, String matchedPrefix) {
        PathModifier p = r.path();
        HttpRewrite.RegexRewrite regex = null;
        if (p != null && p.type() == HttpRouteFilter.PathModifierType.ReplaceFullPath) {
            regex = new HttpRewrite.RegexRewrite("^.*$", p.replaceFullPath());
        } else if (p != null) {
            // Whole segments, joined by one slash: prefix /foo with /xyz or /xyz/ makes /foo/bar /xyz/bar and /foo
            // /xyz; with / it makes /bar and / (an empty path becomes /); prefix / with /xyz makes /bar /xyz/bar.
            String prefix = matchedPrefix == null ? "/" : matchedPrefix;
            String replacement = p.replacePrefixMatch() == null ? "/" : p.replacePrefixMatch();
            String trimmedPrefix = prefix.length() > 1 && prefix.endsWith("/")
                    ? prefix.substring(0, prefix.length() - 1) : prefix;
            String trimmedReplacement = replacement.length() > 1 && replacement.endsWith("/")
                    ? replacement.substring(0, replacement.length() - 1) : replacement;
            regex = trimmedPrefix.equals("/")
                    ? new HttpRewrite.RegexRewrite("^/", trimmedReplacement.equals("/") ? "/" : trimmedReplacement
                    + "/")
                    : new HttpRewrite.RegexRewrite("^" + Re2.quote(trimmedPrefix), trimmedReplacement.equals("/")
                    ? "" : trimmedReplacement);
        }
        return new HttpRewrite(null, r.hostname(), regex);
    }
}
