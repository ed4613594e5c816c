package io.kshift.model.routing;

import io.kshift.model.gateway.HttpRouteMatch;
import io.kshift.model.gateway.HttpRouteRule;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Gateway API precedence between route matches for one host: an {@code Exact} path before a {@code PathPrefix}
 * before a {@code RegularExpression}; the longer path first; a match with a method before one without; more
 * header matches first; more query parameter matches first. What ties keeps the order it came in, which is the
 * routes' age ({@link io.kshift.model.resource.Resource#OLDEST_FIRST}), then rule order, then match order:
 * sort stably. (As Istio ranks them when it translates HTTPRoutes.)
 */
public final class RoutePrecedence {
    /** Most specific first. */
    public static final Comparator<Rank> FIRST = Comparator.comparingInt(Rank::pathKind).reversed()
            .thenComparing(Comparator.comparingInt(Rank::pathLength).reversed())
            .thenComparing(Comparator.comparingInt(Rank::methodLength).reversed())
            .thenComparing(Rank::method, Comparator.reverseOrder())
            .thenComparing(Comparator.comparingInt(Rank::headers).reversed())
            .thenComparing(Comparator.comparingInt(Rank::queryParams).reversed());

    /** A rule's matches none: it matches every request, as {@code PathPrefix /} does. */
    public static final Rank CATCH_ALL = new Rank(Rank.PREFIX, 1, 0, false, 0, 0);

    /** A GRPCRoute rule without matches: every call, after every rule that names a service, method or header. */
    public static final Rank GRPC_CATCH_ALL = new Rank(Rank.GRPC, 0, 0, false, 0, 0);

    private RoutePrecedence() {
    }

    /**
     * What orders one match: its path's kind ({@link #EXACT}, {@link #PREFIX}, {@link #REGEX}) and length, etc.
     * A GRPCRoute match ({@link #GRPC}) is ranked as the API ranks them: by the characters of its service
     * ({@code pathLength}), then of its method ({@code methodLength}), then by header matches.
     */
    public record Rank(int pathKind, int pathLength, int methodLength, boolean method, int headers,
                       int queryParams) {
        public static final int EXACT = 3;
        public static final int PREFIX = 2;
        public static final int REGEX = 1;
        public static final int GRPC = 0;

        static Rank of(io.kshift.model.gateway.GrpcRouteSpec.Match m) {
            var method = m.method();
            return new Rank(GRPC, method == null || method.service() == null ? 0 : method.service().length(),
                    method == null || method.method() == null ? 0 : method.method().length(), false,
                    m.headers().size(), 0);
        }

        public static Rank of(HttpRouteMatch m) {
            HttpRouteMatch.PathMatch path = m.path() == null ? new HttpRouteMatch.PathMatch(null, null) : m.path();
            int kind = switch (path.effectiveType()) {
                case Exact -> EXACT;
                case PathPrefix -> PREFIX;
                case RegularExpression -> REGEX;
            };
            return new Rank(kind, path.effectiveValue().length(), 0, m.method() != null, m.headers().size(),
                    m.queryParams().size());
        }
    }

    /**
     * Istio's catch-all match (its {@code isCatchAllRoute}, read on the Envoy route) on listener port
     * {@code listenerPort}: no condition but a path prefix {@code /} (or none). When VirtualServices for one host
     * merge on a gateway, Istio moves such routes after all the others. A {@code port} equal to the listener's is no
     * condition there (Istio leaves a block for another port off the listener, and it matches nothing here), and a
     * regex is catch-all only as Istio's literal {@code *}.
     */
    public static boolean catchAll(io.kshift.model.istio.HttpMatchRequest m, int listenerPort) {
        boolean path = m.uri() == null || "/".equals(m.uri().prefix()) || "*".equals(m.uri().regex());
        return path && m.scheme() == null && m.method() == null && m.authority() == null && m.headers().isEmpty()
                && m.withoutHeaders().isEmpty() && m.queryParams().isEmpty()
                && (m.port() == null || m.port() == listenerPort);
    }

    /** A route's rules ranked ({@link #of(List)}), a GRPCRoute's as gRPC matches ({@link Rank#GRPC}). */
    public static List<List<Rank>> of(io.kshift.model.resource.Resource route) {
        if (route.type() != io.kshift.model.resource.Kind.GRPC_ROUTE) {
            return of(GatewayApiHttp.spec(route).rules());
        }
        List<List<Rank>> out = new ArrayList<>();
        for (var rule : route.specAs(io.kshift.model.gateway.GrpcRouteSpec.class).rules()) {
            out.add(rule.matches().isEmpty() ? List.of(GRPC_CATCH_ALL)
                    : rule.matches().stream().map(Rank::of).toList());
        }
        return List.copyOf(out);
    }

    /** Each rule's matches ranked, in order; a rule without matches has the one {@link #CATCH_ALL}. */
    public static List<List<Rank>> of(List<HttpRouteRule> rules) {
        List<List<Rank>> out = new ArrayList<>(rules.size());
        for (HttpRouteRule rule : rules) {
            out.add(rule.matches().isEmpty() ? List.of(CATCH_ALL)
                    : rule.matches().stream().map(Rank::of).toList());
        }
        return List.copyOf(out);
    }
}
