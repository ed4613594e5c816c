package io.kshift.model.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.gateway.BackendRef;
import io.kshift.model.gateway.HttpRouteFilter;
import io.kshift.model.gateway.HttpRouteMatch;
import io.kshift.model.gateway.HttpRouteRule;
import java.util.List;
import com.google.re2j.Pattern;
import org.junit.jupiter.api.Test;

/** Gateway API rules read as Istio routes, with Gateway API's own semantics kept. */
class GatewayApiHttpTest {
    @Test
    void eachRulesSessionHasANameOfItsOwnKeptWhenRulesAreInsertedBeforeIt() {
        var persist = new io.kshift.model.gateway.SessionPersistence(null, null, null, null, null);
        java.util.function.Function<List<String>, List<String>> names = ruleNames -> {
            var rules = ruleNames.stream().map(n -> new HttpRouteRule(n, List.of(new HttpRouteMatch(
                    new HttpRouteMatch.PathMatch(HttpRouteMatch.PathType.PathPrefix, "/shop"), null, null, null)),
                    List.of(), List.of(), null, null, persist)).toList();
            var spec = new io.kshift.model.gateway.HttpRouteSpec(List.of(), List.of(), rules);
            var key = new io.kshift.model.resource.ResourceKey(io.kshift.model.resource.Kind.HTTP_ROUTE, "shop", "r");
            var sessions = HttpBindings.sessions(key, spec);
            return java.util.stream.IntStream.range(0, rules.size()).mapToObj(i -> sessions.get(i).name()).toList();
        };
        List<String> before = names.apply(java.util.Arrays.asList("cart", null));
        assertThat(before).doesNotHaveDuplicates().allSatisfy(n -> assertThat(n).startsWith("kshift-session-"));
        List<String> after = names.apply(java.util.Arrays.asList("new", "cart", null));
        assertThat(after.get(1)).as("a named rule keeps its session's name").isEqualTo(before.get(0));
        assertThat(after).doesNotHaveDuplicates();
    }

    @Test
    void pathPrefixMatchesWholeSegmentsAndWeightsDefaultToOne() {
        var rule = new HttpRouteRule(null, List.of(new HttpRouteMatch(new HttpRouteMatch.PathMatch(
                HttpRouteMatch.PathType.PathPrefix, "/v2"), null, null, "GET")), List.of(),
                List.of(new BackendRef(null, null, "httpbin", "apps", 8000, null)), null);
        var route = GatewayApiHttp.toIstio(rule, "default");
        Pattern uri = Pattern.compile(route.match().get(0).uri().regex());
        assertThat(uri.matcher("/v2").matches()).isTrue();
        assertThat(uri.matcher("/v2/x").matches()).isTrue();
        assertThat(uri.matcher("/v2x").matches()).isFalse();
        assertThat(route.match().get(0).method().exact()).isEqualTo("GET");
        assertThat(route.route()).singleElement().satisfies(d -> {
            assertThat(d.destination().host()).isEqualTo("httpbin.apps");
            assertThat(d.weight()).isEqualTo(1);
        });
    }

    @Test
    void aBackendOfWeightZeroGetsNothingEvenAloneAndARuleOfOnlySuchAnswers500() {
        var alone = GatewayApiHttp.toIstio(new HttpRouteRule(null, List.of(), List.of(),
                List.of(new BackendRef(null, null, "web", null, 80, 0)), null), "default");
        assertThat(alone.route()).as("Istio's lone destination would take all; the Gateway API's takes none")
                .isEmpty();
        assertThat(alone.directResponse().status()).isEqualTo(500);

        var mixed = GatewayApiHttp.toIstio(new HttpRouteRule(null, List.of(), List.of(),
                List.of(new BackendRef(null, null, "web", null, 80, 0), new BackendRef(null, null, "canary", null,
                        80, 3)), null), "default");
        assertThat(mixed.route()).singleElement().satisfies(d -> {
            assertThat(d.destination().host()).isEqualTo("canary.default");
            assertThat(d.weight()).isEqualTo(3);
        });
        assertThat(mixed.directResponse()).isNull();
    }

    /** The API: header names differing only in case are one name, and only the first entry of it counts. */
    @Test
    void onlyTheFirstEntryOfAHeaderNameCountsWhateverItsCase() {
        var rule = new HttpRouteRule(null, List.of(new HttpRouteMatch(null, List.of(
                new HttpRouteMatch.ValueMatch(null, "X-Env", "prod"), new HttpRouteMatch.ValueMatch(null, "x-env",
                        "staging")), List.of(new HttpRouteMatch.ValueMatch(null, "q", "1"),
                new HttpRouteMatch.ValueMatch(null, "Q", "2")), null)), List.of(new HttpRouteFilter(
                HttpRouteFilter.Type.RequestHeaderModifier, new HttpRouteFilter.HeaderModifier(List.of(
                        new HttpRouteFilter.Header("X-A", "1"), new HttpRouteFilter.Header("x-a", "2")), List.of(),
                List.of()), null, null, null, null, null)),
                List.of(new BackendRef(null, null, "web", null, 80, null)), null);
        var route = GatewayApiHttp.toIstio(rule, "default");
        assertThat(route.match().get(0).headers()).containsOnlyKeys("X-Env");
        assertThat(route.match().get(0).queryParams()).as("query names keep their case").containsOnlyKeys("q", "Q");
        assertThat(route.headers().request().set()).containsExactly(java.util.Map.entry("X-A", "1"));
    }

    @Test
    void aBackendRequestTimeoutOfZeroIsNoneAndKeepsTheDefaultRetries() {
        var zero = GatewayApiHttp.toIstio(new HttpRouteRule(null, List.of(), List.of(),
                List.of(new BackendRef(null, null, "web", null, 80, null)), new HttpRouteRule.Timeouts("0s", "0s")),
                "default");
        assertThat(zero.retries()).as("as if unset: Istio's default retries, not none").isNull();
    }

    @Test
    void filtersBecomeHeadersMirrorsRewritesAndRedirects() {
        var rule = new HttpRouteRule(null, List.of(new HttpRouteMatch(new HttpRouteMatch.PathMatch(
                HttpRouteMatch.PathType.PathPrefix, "/api"), null, null, null)), List.of(
                new HttpRouteFilter(HttpRouteFilter.Type.RequestHeaderModifier, new HttpRouteFilter.HeaderModifier(
                        List.of(new HttpRouteFilter.Header("x", "1")), null, List.of("y")), null, null, null, null, null),
                new HttpRouteFilter(HttpRouteFilter.Type.RequestMirror, null, null, new HttpRouteFilter.RequestMirror(
                        new BackendRef(null, null, "shadow", null, 80, null), 25, null), null, null, null),
                new HttpRouteFilter(HttpRouteFilter.Type.URLRewrite, null, null, null, null,
                        new HttpRouteFilter.UrlRewrite("internal", new HttpRouteFilter.PathModifier(
                                HttpRouteFilter.PathModifierType.ReplacePrefixMatch, null, "/v1")), null)),
                List.of(new BackendRef(null, null, "httpbin", null, 8000, 3)), null);
        var route = GatewayApiHttp.toIstio(rule, "default");
        assertThat(route.headers().request().set()).containsEntry("x", "1");
        assertThat(route.headers().request().remove()).containsExactly("y");
        assertThat(route.mirrors()).singleElement().satisfies(m -> {
            assertThat(m.destination().host()).isEqualTo("shadow.default");
            assertThat(m.percentage().value()).isEqualTo(25.0);
        });
        assertThat(route.rewrite().authority()).isEqualTo("internal");
        assertThat("/api/users".replaceAll(route.rewrite().uriRegexRewrite().match(),
                route.rewrite().uriRegexRewrite().rewrite())).isEqualTo("/v1/users");
        var redirect = GatewayApiHttp.toIstio(new HttpRouteRule(null, List.of(), List.of(new HttpRouteFilter(
                HttpRouteFilter.Type.RequestRedirect, null, null, null, new HttpRouteFilter.RequestRedirect("https",
                null, null, null, null), null, null)), List.of(), null), "default");
        assertThat(redirect.redirect().code()).as("Gateway API's default").isEqualTo(302);
        assertThat(redirect.redirect().scheme()).isEqualTo("https");
        assertThat(redirect.directResponse()).isNull();
        assertThat(route.directResponse()).isNull();
    }

    @Test
    void aBackendsHeaderModifiersBecomeItsDestinationsHeaders() {
        var modifier = new HttpRouteFilter.HeaderModifier(List.of(new HttpRouteFilter.Header("x-who", "a")), null,
                List.of("x-drop"));
        var filtered = new BackendRef(null, null, "a", null, 80, 1, List.of(
                new HttpRouteFilter(HttpRouteFilter.Type.RequestHeaderModifier, modifier, null, null, null, null, null),
                new HttpRouteFilter(HttpRouteFilter.Type.ResponseHeaderModifier, null, modifier, null, null, null,
                        null)));
        var route = GatewayApiHttp.toIstio(new HttpRouteRule(null, List.of(), List.of(), List.of(filtered,
                new BackendRef(null, null, "b", null, 80, 1)), null), "default");
        assertThat(route.headers()).as("the rule's own: none").isNull();
        assertThat(route.route().get(0).headers().request().set()).containsEntry("x-who", "a");
        assertThat(route.route().get(0).headers().request().remove()).containsExactly("x-drop");
        assertThat(route.route().get(0).headers().response().remove()).containsExactly("x-drop");
        assertThat(route.route().get(1).headers()).isNull();
    }

    @Test
    void aRetryBecomesIstioRetriesOnItsCodesAndConnectionErrors() {
        BackendRef backend = new BackendRef(null, null, "httpbin", null, 8000, null);
        var retried = GatewayApiHttp.toIstio(new HttpRouteRule(null, List.of(), List.of(), List.of(backend),
                new HttpRouteRule.Timeouts("10s", "2s"), new HttpRouteRule.Retry(List.of(503, 500, 503), 4, "100ms")),
                "default");
        assertThat(retried.retries()).isEqualTo(new io.kshift.model.istio.HttpRetry(4, "2s",
                "connect-failure,refused-stream,reset,500,503", "100ms"));
        assertThat(retried.timeout()).isEqualTo("10s");

        var byDefault = GatewayApiHttp.toIstio(new HttpRouteRule(null, List.of(), List.of(), List.of(backend), null,
                new HttpRouteRule.Retry(List.of(), null, null)), "default");
        assertThat(byDefault.retries()).as("attempts unset: 2; no codes: connection errors only")
                .isEqualTo(new io.kshift.model.istio.HttpRetry(2, null, "connect-failure,refused-stream,reset", null));

        var timeoutOnly = GatewayApiHttp.toIstio(new HttpRouteRule(null, List.of(), List.of(), List.of(backend),
                new HttpRouteRule.Timeouts(null, "2s")), "default");
        assertThat(timeoutOnly.retries()).as("a backend timeout alone: one try").isEqualTo(
                new io.kshift.model.istio.HttpRetry(0, null, null));
        assertThat(timeoutOnly.timeout()).as("bounded by the backend timeout, as retries off carry none")
                .isEqualTo("2s");
        assertThat(GatewayApiHttp.toIstio(new HttpRouteRule(null, List.of(), List.of(), List.of(backend),
                new HttpRouteRule.Timeouts("1s", "2s")), "default").timeout()).as("the shorter").isEqualTo("1s");
        assertThat(GatewayApiHttp.toIstio(new HttpRouteRule(null, List.of(), List.of(), List.of(backend),
                new HttpRouteRule.Timeouts("5s", "500ms")), "default").timeout()).isEqualTo("500ms");
        assertThat(GatewayApiHttp.toIstio(new HttpRouteRule(null, List.of(), List.of(), List.of(backend),
                new HttpRouteRule.Timeouts("0s", "3s")), "default").timeout()).as("0s: none").isEqualTo("3s");
        var noRetries = GatewayApiHttp.toIstio(new HttpRouteRule(null, List.of(), List.of(), List.of(backend),
                new HttpRouteRule.Timeouts(null, "2s"), new HttpRouteRule.Retry(List.of(503), 0, null)), "default");
        assertThat(noRetries.timeout()).as("attempts: 0 is one try, bounded as without a retry").isEqualTo("2s");
        assertThat(noRetries.retries().attempts()).isZero();
        assertThat(GatewayApiHttp.toIstio(new HttpRouteRule(null, List.of(), List.of(), List.of(backend), null),
                "default").retries()).as("neither: Istio's default retries").isNull();
    }

    /** The API: a rule with no backendRefs and no filter that answers (a redirect) is answered 500. */
    @Test
    void aRuleThatNeitherForwardsNorRedirectsAnswers500() {
        var rule = new HttpRouteRule(null, List.of(), List.of(new HttpRouteFilter(HttpRouteFilter.Type.URLRewrite, null,
                null, null, null, new HttpRouteFilter.UrlRewrite("internal", null), null)), List.of(), null);
        var route = GatewayApiHttp.toIstio(rule, "default");
        assertThat(route.route()).isEmpty();
        assertThat(route.directResponse().status()).isEqualTo(500);
    }

    /** The CORS filter becomes a corsPolicy: exact origins, wildcard hosts as regexes, maxAge 5 s by default. */
    @Test
    void theCorsFilterBecomesACorsPolicy() {
        var rule = new HttpRouteRule(null, List.of(), List.of(new HttpRouteFilter(HttpRouteFilter.Type.CORS, null,
                null, null, null, null, new HttpRouteFilter.Cors(List.of("https://www.foo.com", "https://*.bar.com",
                "*"), true, List.of("GET"), List.of("*"), List.of("x-h"), null))),
                List.of(new BackendRef(null, null, "httpbin", null, 8000, null)), null);
        var cors = GatewayApiHttp.toIstio(rule, "default").corsPolicy();
        assertThat(cors.maxAge()).isEqualTo("5s");
        assertThat(cors.allowCredentials()).isTrue();
        assertThat(cors.allowOrigins().get(0).exact()).isEqualTo("https://www.foo.com");
        String wildcard = cors.allowOrigins().get(1).regex();
        assertThat("https://a.bar.com").matches(wildcard);
        assertThat("https://a.b.bar.com").matches(wildcard);
        assertThat("https://bar.com").doesNotMatch(wildcard);
        assertThat("https://a.barxcom").doesNotMatch(wildcard);
        assertThat("http://a.bar.com").doesNotMatch(wildcard);
        assertThat("https://anything.example").matches(cors.allowOrigins().get(2).regex());
        assertThat(cors.allowOrigins()).allSatisfy(o -> assertThat(o.regex() == null ? java.util.Optional.empty()
                : io.kshift.model.regex.Re2.problem(o.regex())).as("RE2 compiles it").isEmpty());
    }

    /** ReplacePrefixMatch replaces whole segments and joins with one slash, whatever slashes the two carry. */
    @Test
    void replacePrefixMatchJoinsSegmentsWithOneSlash() {
        String[][] cases = {
                // prefix, replacement, path, expected
                {"/foo", "/xyz", "/foo/bar", "/xyz/bar"}, {"/foo", "/xyz", "/foo", "/xyz"},
                {"/foo/", "/xyz/", "/foo/bar", "/xyz/bar"}, {"/foo", "/xyz/", "/foo", "/xyz"},
                {"/foo", "/", "/foo/bar", "/bar"}, {"/foo", "/", "/foo", "/"},
                {"/", "/xyz", "/bar", "/xyz/bar"}, {"/", "/xyz", "/", "/xyz/"}, {"/", "/", "/bar", "/bar"}};
        for (String[] c : cases) {
            var match = new HttpRouteMatch(new HttpRouteMatch.PathMatch(HttpRouteMatch.PathType.PathPrefix, c[0]),
                    List.of(), List.of(), null);
            var rule = new HttpRouteRule(null, List.of(match), List.of(new HttpRouteFilter(
                    HttpRouteFilter.Type.URLRewrite, null, null, null, null, new HttpRouteFilter.UrlRewrite(null,
                    new HttpRouteFilter.PathModifier(HttpRouteFilter.PathModifierType.ReplacePrefixMatch, null, c[1])),
                    null)), List.of(new BackendRef(null, null, "httpbin", null, 8000, null)), null);
            var rewrite = GatewayApiHttp.toIstio(rule, "default").rewrite().uriRegexRewrite();
            String out = c[2].replaceFirst(rewrite.match(), rewrite.rewrite());
            assertThat(out.isEmpty() ? "/" : out).as(String.join(" ", c)).isEqualTo(c[3]);
        }
    }
}
