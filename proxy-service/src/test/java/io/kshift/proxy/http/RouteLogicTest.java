package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.istio.HttpMatchRequest;
import io.kshift.model.istio.HttpRewrite;
import io.kshift.model.istio.RetryOn;
import io.kshift.model.istio.StringMatch;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure parts of HTTP routing, without sockets: match blocks, rewrites, virtual hosts, shadow hosts, retries. */
class RouteLogicTest {
    static RequestView request(String method, String path, Map<String, String> headers, Map<String, String> query) {
        return new RequestView(method, path, "httpbin:8000", "http", 80, h -> headers.get(h.toLowerCase()), query::get);
    }

    static HttpMatchRequest match(StringMatch uri, Map<String, StringMatch> headers, Boolean ignoreCase) {
        return new HttpMatchRequest(null, uri, null, null, null, headers, null, null, null, null, ignoreCase);
    }

    @Test
    void everyConditionOfABlockMustHoldAndBlocksAreOred() {
        MatchBlock user = MatchBlock.of(match(null, Map.of("user", StringMatch.exact("zhj1")), null));
        MatchBlock prefix = MatchBlock.of(match(StringMatch.prefix("/istio-v2"), Map.of(), null));
        RequestView zhj = request("GET", "/x", Map.of("user", "zhj1"), Map.of());
        RequestView other = request("GET", "/istio-v2/a", Map.of("user", "bob"), Map.of());
        RequestView neither = request("GET", "/x", Map.of(), Map.of());
        assertThat(MatchBlock.first(List.of(user, prefix), zhj)).isSameAs(user);
        assertThat(MatchBlock.first(List.of(user, prefix), other)).isSameAs(prefix);
        assertThat(MatchBlock.first(List.of(user, prefix), neither)).isNull();
        assertThat(MatchBlock.first(List.of(), neither)).as("no block: everything").isSameAs(MatchBlock.EVERYTHING);
    }

    @Test
    void uriMatchesHonourIgnoreUriCaseAndRegexesMatchTheWholeValue() {
        MatchBlock exact = MatchBlock.of(match(StringMatch.exact("/Login"), Map.of(), true));
        MatchBlock regex = MatchBlock.of(match(new StringMatch(null, null, "/v[12]"), Map.of(), null));
        assertThat(exact.matches(request("GET", "/LOGIN", Map.of(), Map.of()))).isTrue();
        assertThat(regex.matches(request("GET", "/v1", Map.of(), Map.of()))).isTrue();
        assertThat(regex.matches(request("GET", "/v1/more", Map.of(), Map.of()))).isFalse();
        // ignoreUriCase covers exact and prefix only: Envoy's safe_regex ignores case_sensitive.
        MatchBlock foldedRegex = MatchBlock.of(match(new StringMatch(null, null, "/api/.*"), Map.of(), true));
        assertThat(foldedRegex.matches(request("GET", "/api/x", Map.of(), Map.of()))).isTrue();
        assertThat(foldedRegex.matches(request("GET", "/API/x", Map.of(), Map.of()))).isFalse();
        MatchBlock prefix = MatchBlock.of(match(StringMatch.prefix("/Api/"), Map.of(), true));
        assertThat(prefix.matches(request("GET", "/aPI/x", Map.of(), Map.of()))).isTrue();
    }

    @Test
    void anEmptyMatchChecksPresence() {
        MatchBlock canary = MatchBlock.of(new HttpMatchRequest(null, null, null, null, null,
                Map.of("x-canary", new StringMatch(null, null, null)), Map.of("x-debug", new StringMatch(null, null, null)),
                Map.of("v", new StringMatch(null, null, null)), null, null, null));
        assertThat(canary.matches(request("GET", "/", Map.of("x-canary", ""), Map.of("v", "")))).isTrue();
        assertThat(canary.matches(request("GET", "/", Map.of("x-canary", "yes"), Map.of("v", "1")))).isTrue();
        assertThat(canary.matches(request("GET", "/", Map.of(), Map.of("v", "1")))).as("no x-canary").isFalse();
        assertThat(canary.matches(request("GET", "/", Map.of("x-canary", "1"), Map.of()))).as("no v").isFalse();
        assertThat(canary.matches(request("GET", "/", Map.of("x-canary", "1", "x-debug", "0"), Map.of("v", "1"))))
                .as("x-debug present").isFalse();
    }

    @Test
    void withoutHeadersAndQueryParams() {
        MatchBlock block = MatchBlock.of(new HttpMatchRequest(null, null, null, StringMatch.exact("POST"), null, Map.of(),
                Map.of("x-debug", StringMatch.exact("1")), Map.of("v", StringMatch.exact("2")), null, null, null));
        assertThat(block.matches(request("POST", "/", Map.of(), Map.of("v", "2")))).isTrue();
        assertThat(block.matches(request("POST", "/", Map.of("x-debug", "1"), Map.of("v", "2")))).isFalse();
        assertThat(block.matches(request("GET", "/", Map.of(), Map.of("v", "2")))).isFalse();
        assertThat(block.matches(request("POST", "/", Map.of(), Map.of("v", "3")))).isFalse();
        // As Istio has Envoy treat a missing header as empty for withoutHeaders (a presence match aside).
        MatchBlock anyValue = MatchBlock.of(new HttpMatchRequest(null, null, null, null, null, Map.of(),
                Map.of("x-a", new StringMatch(null, null, ".*"), "x-b", new StringMatch(null, null, null)), Map.of(), null, null,
                null));
        assertThat(anyValue.matches(request("GET", "/", Map.of(), Map.of()))).as("x-a missing is \"\": excluded")
                .isFalse();
        MatchBlock notBob = MatchBlock.of(new HttpMatchRequest(null, null, null, null, null, Map.of(),
                Map.of("user", StringMatch.exact("bob"), "x-b", new StringMatch(null, null, null)), Map.of(), null,
                null, null));
        assertThat(notBob.matches(request("GET", "/", Map.of(), Map.of()))).isTrue();
        assertThat(notBob.matches(request("GET", "/", Map.of("x-b", "1"), Map.of()))).as("x-b present").isFalse();
    }

    @Test
    void aUriRewriteReplacesTheMatchedPrefixAndKeepsTheQuery() {
        MatchBlock api = MatchBlock.of(match(StringMatch.prefix("/api/"), Map.of(), null));
        PathRewrite rewrite = PathRewrite.of(new HttpRewrite("/", null));
        assertThat(rewrite.apply("/api/headers?x=1", api)).isEqualTo("/headers?x=1");
        assertThat(rewrite.apply("/other", MatchBlock.EVERYTHING)).as("no uri condition: the prefix / is replaced")
                .isEqualTo("/other");
        PathRewrite v2 = PathRewrite.of(new HttpRewrite("/v2", null));
        assertThat(v2.apply("/users?x=1", MatchBlock.EVERYTHING)).as("as Envoy's prefix_rewrite on prefix /")
                .isEqualTo("/v2users?x=1");
        MatchBlock header = MatchBlock.of(match(null, Map.of("x-v2", StringMatch.exact("1")), null));
        assertThat(PathRewrite.of(new HttpRewrite("/v2/", null)).apply("/users", header)).isEqualTo("/v2/users");
        MatchBlock exact = MatchBlock.of(match(StringMatch.exact("/login"), Map.of(), null));
        assertThat(v2.apply("/login?next=1", exact)).as("an exact match: the whole path").isEqualTo("/v2?next=1");
        PathRewrite regex = PathRewrite.of(new HttpRewrite(null, null, new HttpRewrite.RegexRewrite("^/service/([^/]+)(/.*)$",
                "\\2/instance/\\1")));
        assertThat(regex.apply("/service/foo/v1/api?q", MatchBlock.EVERYTHING)).isEqualTo("/v1/api/instance/foo?q");
        // Found by RequestPathFuzzTest: a rewrite without a leading slash sent a request target that is no path.
        assertThat(PathRewrite.of(new HttpRewrite("v2", null)).apply("/api/x", api)).isEqualTo("/v2x");
        assertThat(PathRewrite.of(new HttpRewrite(null, null, new HttpRewrite.RegexRewrite("^/", "")))
                .apply("/a/b?q", MatchBlock.EVERYTHING)).isEqualTo("/a/b?q");
        // A regex rewrite without its match or its replacement (refused by validation, once accepted) rewrites
        // nothing: neither a table that does not build nor a request that throws and never gets an answer.
        assertThat(PathRewrite.of(new HttpRewrite(null, null, new HttpRewrite.RegexRewrite("^/a", null)))).isNull();
        assertThat(PathRewrite.of(new HttpRewrite(null, null, new HttpRewrite.RegexRewrite(null, "/b")))).isNull();
        assertThat(PathRewrite.of(new HttpRewrite("/v2", null, new HttpRewrite.RegexRewrite(null, "/b")))
                .apply("/x", MatchBlock.EVERYTHING)).isEqualTo("/v2x");
    }

    @Test
    void virtualHostsPreferExactThenLongestWildcardThenAny() {
        HttpRouteEntry a = entry();
        HttpRouteEntry b = entry();
        HttpRouteEntry c = entry();
        HttpRouteEntry d = entry();
        VirtualHostTable hosts = new VirtualHostTable(Map.of("api.example.com", List.of(a)),
                List.of(Map.entry(".eu.example.com", List.of(b)), Map.entry(".example.com", List.of(c))), List.of(d));
        assertThat(hosts.routes("API.example.com:443")).containsExactly(a);
        assertThat(hosts.routes("shop.eu.example.com")).containsExactly(b);
        assertThat(hosts.routes("shop.example.com")).containsExactly(c);
        assertThat(hosts.routes("elsewhere")).containsExactly(d);
        assertThat(VirtualHostTable.EMPTY.routes("x")).isNull();
        // A service's default route yields to a virtual host whose wildcard covers it (Istio's mesh semantics).
        VirtualHostTable mesh = new VirtualHostTable(Map.of("pinned.example.com", List.of(a)),
                Map.of("api.example.com", List.of(d), "other.svc:8000", List.of(d)),
                List.of(Map.entry(".example.com", List.of(c))), null);
        assertThat(mesh.routes("api.example.com")).containsExactly(c);
        assertThat(mesh.routes("pinned.example.com:80")).containsExactly(a);
        assertThat(mesh.routes("other.svc:8000")).containsExactly(d);
        assertThat(mesh.routes("other.svc")).isNull();
    }

    static HttpRouteEntry entry() {
        return new HttpRouteEntry(null, "f", List.of(), null, null, null, null, HeaderEdits.NONE, HeaderEdits.NONE,
                List.of(), null, List.of(), null, HttpRouteEntry.Retry.NONE, null, null);
    }

    @Test
    void serviceNamesAnswerTheirShortAndLongForms() {
        assertThat(io.kshift.model.routing.HostNames.expand("httpbin", "default")).containsExactly("httpbin",
                "httpbin.default", "httpbin.default.svc", "httpbin.default.svc.cluster.local");
        assertThat(io.kshift.model.routing.HostNames.expand("reviews.bookinfo.svc.cluster.local", "default"))
                .contains("reviews", "reviews.bookinfo", "reviews.bookinfo.svc");
        // With a port (a Gateway API Service parent's): each form with it. An IPv6 address has no port to split.
        assertThat(io.kshift.model.routing.HostNames.expand("httpbin:8000", "default")).containsExactly(
                "httpbin:8000", "httpbin.default:8000", "httpbin.default.svc:8000",
                "httpbin.default.svc.cluster.local:8000");
        assertThat(io.kshift.model.routing.HostNames.expand("2001:db8::1", "default"))
                .allSatisfy(n -> assertThat(n).startsWith("2001:db8::1"));
        assertThat(io.kshift.model.routing.HostNames.withoutRoutePort("2001:db8::1")).isEqualTo("2001:db8::1");
        assertThat(io.kshift.model.routing.HostNames.withoutRoutePort("httpbin:8000")).isEqualTo("httpbin");
    }

    @Test
    void mirroredRequestsCarryAShadowHostBeforeThePort() {
        assertThat(Mirrors.shadow("httpbin:8000")).isEqualTo("httpbin-shadow:8000");
        assertThat(Mirrors.shadow("httpbin")).isEqualTo("httpbin-shadow");
        assertThat(Mirrors.shadow("[::1]:80")).isEqualTo("[::1]-shadow:80");
    }

    @Test
    void retryConditionsAreEnvoys() {
        RetryOn gateway = RetryOn.parse("gateway-error");
        assertThat(gateway.retriesStatus(503)).isTrue();
        assertThat(gateway.retriesStatus(500)).isFalse();
        RetryOn fiveXx = RetryOn.parse("5xx");
        assertThat(fiveXx.retriesStatus(500)).isTrue();
        assertThat(fiveXx.retriesConnectFailure()).isTrue();
        RetryOn defaults = RetryOn.parse(null);
        assertThat(defaults.retriesStatus(503)).isTrue();
        assertThat(defaults.retriesStatus(500)).isFalse();
        assertThat(RetryOn.parse("retriable-4xx").retriesStatus(409)).isTrue();
        // Istio accepts these two: before the request went upstream only; HTTP/3 upstreams, which never hold here.
        RetryOn beforeRequest = RetryOn.parse("reset-before-request,http3-post-connect-failure");
        assertThat(beforeRequest.retriesConnectFailure()).isTrue();
        assertThat(beforeRequest.retriesReset()).as("not once the request was sent").isFalse();
        assertThat(beforeRequest.retriesStatus(503)).isFalse();
    }

    /** Envoy's default back-off: 25 ms doubling, fully jittered, never over ten times the base. */
    @Test
    void theDefaultBackOffIsEnvoysCappedAt250Ms() {
        java.util.random.RandomGenerator highest = new java.util.random.RandomGenerator() {
            @Override
            public long nextLong() {
                return Long.MAX_VALUE;
            }

            @Override
            public long nextLong(long bound) {
                return bound - 1;
            }
        };
        HttpRouteEntry.Retry retry = new HttpRouteEntry.Retry(10, null, RetryOn.parse(null), null);
        assertThat(java.util.stream.IntStream.range(0, 8).mapToLong(a -> retry.backoffMillis(a, highest)).toArray())
                .containsExactly(25, 50, 100, 200, 250, 250, 250, 250);
    }
}
