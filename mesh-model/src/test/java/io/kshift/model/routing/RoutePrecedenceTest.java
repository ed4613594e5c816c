package io.kshift.model.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.gateway.HttpRouteMatch;
import io.kshift.model.gateway.HttpRouteMatch.PathMatch;
import io.kshift.model.gateway.HttpRouteMatch.PathType;
import io.kshift.model.gateway.HttpRouteMatch.ValueMatch;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoutePrecedenceTest {
    private static RoutePrecedence.Rank rank(PathType type, String path, String method, int headers, int query) {
        List<ValueMatch> h = new ArrayList<>();
        for (int i = 0; i < headers; i++) {
            h.add(new ValueMatch(null, "h" + i, "v"));
        }
        List<ValueMatch> q = new ArrayList<>();
        for (int i = 0; i < query; i++) {
            q.add(new ValueMatch(null, "q" + i, "v"));
        }
        return RoutePrecedence.Rank.of(new HttpRouteMatch(path == null ? null : new PathMatch(type, path), h, q,
                method));
    }

    @Test
    void exactThenLongestPrefixThenRegexThenMethodHeadersAndQuery() {
        var exact = rank(PathType.Exact, "/a", null, 0, 0);
        var longPrefix = rank(PathType.PathPrefix, "/abc", null, 0, 0);
        var withMethod = rank(PathType.PathPrefix, "/a", "GET", 0, 0);
        var twoHeaders = rank(PathType.PathPrefix, "/a", null, 2, 0);
        var oneHeader = rank(PathType.PathPrefix, "/a", null, 1, 5);
        var query = rank(PathType.PathPrefix, "/a", null, 0, 1);
        var plain = rank(PathType.PathPrefix, "/a", null, 0, 0);
        var regex = rank(PathType.RegularExpression, "/a/very/long/.*", null, 3, 3);
        var none = rank(null, null, null, 0, 0);
        List<RoutePrecedence.Rank> sorted = new ArrayList<>(List.of(none, regex, plain, query, oneHeader, twoHeaders,
                withMethod, longPrefix, exact));
        sorted.sort(RoutePrecedence.FIRST);
        assertThat(sorted).containsExactly(exact, longPrefix, withMethod, twoHeaders, oneHeader, query, plain, none,
                regex);
        assertThat(none).as("no path is PathPrefix /, as a rule without matches").isEqualTo(RoutePrecedence.CATCH_ALL);
    }

    @Test
    void equalRanksKeepTheirOrder() {
        var a = rank(PathType.PathPrefix, "/x", null, 0, 0);
        var b = rank(PathType.PathPrefix, "/y", null, 0, 0);
        List<RoutePrecedence.Rank> sorted = new ArrayList<>(List.of(b, a));
        sorted.sort(RoutePrecedence.FIRST);
        assertThat(sorted).containsExactly(b, a);
    }

    @Test
    void grpcMatchesRankByServiceThenMethodThenHeadersAndNoMatchGoesLast() {
        var route = io.kshift.model.mesh.SyntheticMesh.parse("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: GRPCRoute
                metadata: {name: g}
                spec:
                  rules:
                  - backendRefs: [{name: a, port: 9000}]
                  - matches: [{headers: [{name: x-canary, value: "yes"}]}]
                    backendRefs: [{name: a, port: 9000}]
                  - matches: [{method: {method: Say}}]
                    backendRefs: [{name: a, port: 9000}]
                  - matches: [{method: {service: helloworld.Greeter}}]
                    backendRefs: [{name: a, port: 9000}]
                  - matches: [{method: {service: helloworld.Greeter, method: Say}}]
                    backendRefs: [{name: a, port: 9000}]
                """).get(0);
        List<RoutePrecedence.Rank> ranks = new ArrayList<>(RoutePrecedence.of(route).stream()
                .map(r -> r.get(0)).toList());
        List<RoutePrecedence.Rank> written = List.copyOf(ranks);
        ranks.sort(RoutePrecedence.FIRST);
        assertThat(ranks).containsExactly(written.get(4), written.get(3), written.get(2), written.get(1),
                written.get(0));
    }
}
