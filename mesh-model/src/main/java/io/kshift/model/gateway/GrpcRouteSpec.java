package io.kshift.model.gateway;

import io.kshift.model.Lists;
import io.kshift.model.constraint.RegexValue;
import io.kshift.model.resource.ResourceSpec;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.util.List;

/**
 * Gateway API {@code GRPCRoute}: attaches to HTTP and HTTPS listeners like an HTTPRoute and routes gRPC calls by
 * service and method (and headers) to weighted backends, which are spoken to over HTTP/2. It is served as the
 * HTTPRoute {@link #asHttpRoute()} makes of it: a gRPC method is the path {@code /service/method}.
 */
public record GrpcRouteSpec(List<@Valid ParentReference> parentRefs, List<String> hostnames,
                            List<@Valid Rule> rules) implements ResourceSpec {
    public GrpcRouteSpec {
        parentRefs = Lists.copy(parentRefs);
        hostnames = Lists.copy(hostnames);
        rules = Lists.copy(rules);
    }

    /** A rule: matches (OR-ed; none matches every call), filters, weighted backends. */
    public record Rule(String name, List<@Valid Match> matches, List<@Valid Filter> filters,
                       List<@Valid BackendRef> backendRefs, @Valid SessionPersistence sessionPersistence) {
        public Rule {
            matches = Lists.copy(matches);
            filters = Lists.copy(filters);
            backendRefs = Lists.copy(backendRefs);
        }

        public Rule(String name, List<Match> matches, List<Filter> filters, List<BackendRef> backendRefs) {
            this(name, matches, filters, backendRefs, null);
        }
    }

    /** One {@code matches[]} entry: the method and every header must hold. */
    public record Match(@Valid MethodMatch method, List<HttpRouteMatch.@Valid ValueMatch> headers) {
        public Match {
            headers = Lists.copy(headers);
        }
    }

    public enum MatchType { Exact, RegularExpression }

    /**
     * A gRPC service and/or method (at least one); {@code Exact} by default. Exact names are a dotted service name
     * ({@code com.example.Greeter}) and a method identifier; {@code RegularExpression} values are RE2 patterns
     * matched against the whole name.
     */
    public record MethodMatch(MatchType type, String service, String method) {
        public MatchType effectiveType() {
            return type == null ? MatchType.Exact : type;
        }

        /** Bean-validated as getters (so named like them); not fields of the document. */
        @RegexValue
        @com.fasterxml.jackson.annotation.JsonIgnore
        public String getServiceRegex() {
            return effectiveType() == MatchType.RegularExpression ? service : null;
        }

        @RegexValue
        @com.fasterxml.jackson.annotation.JsonIgnore
        public String getMethodRegex() {
            return effectiveType() == MatchType.RegularExpression ? method : null;
        }
    }

    /** A GRPCRoute filter: its {@code type} names which one of the other fields it carries. */
    @io.kshift.model.constraint.FilterFieldForType
    public record Filter(@NotNull(message = "is required") Type type,
                         @Valid HttpRouteFilter.HeaderModifier requestHeaderModifier,
                         @Valid HttpRouteFilter.HeaderModifier responseHeaderModifier,
                         @Valid HttpRouteFilter.RequestMirror requestMirror) {
        public enum Type { RequestHeaderModifier, ResponseHeaderModifier, RequestMirror }

        /** The HTTPRoute filter this one is (the same type and field). */
        public HttpRouteFilter asHttp() {
            return new HttpRouteFilter(HttpRouteFilter.Type.valueOf(type.name()), requestHeaderModifier,
                    responseHeaderModifier, requestMirror, null, null, null);
        }
    }

    /**
     * The HTTPRoute this route is served as: same parents, hostnames, rules, filters and backends (indexes kept, so
     * a finding on one names the same place in the GRPCRoute), each method match as the path it matches.
     */
    public HttpRouteSpec asHttpRoute() {
        return new HttpRouteSpec(parentRefs, hostnames, rules.stream().map(r -> new HttpRouteRule(r.name(),
                r.matches().stream().map(GrpcRouteSpec::asHttp).toList(),
                r.filters().stream().map(Filter::asHttp).toList(), r.backendRefs(), null, null,
                r.sessionPersistence())).toList());
    }

    /**
     * A pattern matches the whole name, so {@code ^} and {@code $} at its ends say nothing; inside the path they
     * would never match, so they go.
     */
    static String unanchored(String regex) {
        String r = regex.startsWith("^") ? regex.substring(1) : regex;
        return r.endsWith("$") && !r.endsWith("\\$") ? r.substring(0, r.length() - 1) : r;
    }

    private static HttpRouteMatch asHttp(Match m) {
        return new HttpRouteMatch(m.method() == null ? null : path(m.method()), m.headers(), List.of(), null);
    }

    /**
     * A gRPC call's path is {@code /package.Service/Method}: an exact service and method is an exact path; any other
     * match a whole-path pattern, a missing part matching any one name.
     */
    public static HttpRouteMatch.PathMatch path(MethodMatch m) {
        boolean exact = m.effectiveType() == MatchType.Exact;
        if (exact && m.service() != null && m.method() != null) {
            return new HttpRouteMatch.PathMatch(HttpRouteMatch.PathType.Exact, "/" + m.service() + "/" + m.method());
        }
        String service = m.service() == null ? "[^/]+" : exact ? io.kshift.model.regex.Re2.quote(m.service())
                : "(?:" + unanchored(m.service()) + ")";
        String method = m.method() == null ? "[^/]+" : exact ? io.kshift.model.regex.Re2.quote(m.method())
                : "(?:" + unanchored(m.method()) + ")";
        return new HttpRouteMatch.PathMatch(HttpRouteMatch.PathType.RegularExpression, "/" + service + "/" + method);
    }
}
