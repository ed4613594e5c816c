package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.kshift.model.istio.HeaderOperations;
import io.kshift.model.istio.HttpMatchRequest;
import io.kshift.model.istio.HttpRewrite;
import io.kshift.model.istio.StringMatch;
import io.kshift.model.regex.Re2;
import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Map;

/**
 * A request's path through the HTTP route code, for any request and any route the validator lets through:
 * normalising the path (idempotent; no doubled slash, dot segment or escaped unreserved character left), matching
 * (uri, method, authority, headers, query; RE2 regexes), rewriting (prefix and regex) and header edits never throw,
 * and a rewritten path is a path. In a build this runs its saved inputs; {@code JAZZER_FUZZ=1} fuzzes it
 * (README, Tests).
 */
class RequestPathFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void anyRequestOnAnyValidRouteIsMatchedRewrittenAndEditedSafely(FuzzedDataProvider data) {
        boolean ignoreUriCase = data.consumeBoolean();
        StringMatch uri = match(data, false); // a uri regex is matched as written, ignoreUriCase or not
        StringMatch header = match(data, false);
        StringMatch query = match(data, false);
        HttpRewrite rewrite = data.consumeBoolean() ? new HttpRewrite(data.consumeString(16), null)
                : new HttpRewrite(null, null, new HttpRewrite.RegexRewrite(regex(data, false),
                        data.consumeString(16)));
        if (rewrite.uriRegexRewrite() != null && rewrite.uriRegexRewrite().match() == null) {
            return;
        }
        String replacement = rewrite.uri() != null ? rewrite.uri() : rewrite.uriRegexRewrite().rewrite();
        if (!replacement.matches(HttpRewrite.PATH_TEXT)) {
            return; // refused by the validator (spaces or control characters)
        }
        MatchBlock block = MatchBlock.of(new HttpMatchRequest(null, uri, null, match(data, false), match(data, true),
                header == null ? Map.of() : Map.of("x-user", header), Map.of(),
                query == null ? Map.of() : Map.of("v", query), null, List.of(), ignoreUriCase));
        String raw = data.consumeString(200);
        String path = PathNormalizer.normalize(raw);
        if (path == null) {
            return; // a broken escape: answered 400
        }
        if (raw.startsWith("/")) {
            assertNormal(path);
        }
        String headerValue = data.consumeString(40);
        String queryValue = data.consumeString(40);
        RequestView request = new RequestView(data.pickValue(List.of("GET", "POST", "DELETE", "PATCH")), path,
                data.consumeString(40), "http", 8080, h -> h.equals("x-user") ? headerValue : null,
                q -> q.equals("v") ? queryValue : null);
        boolean matched = block.matches(request);
        PathRewrite rewriting = PathRewrite.of(rewrite);
        if (matched && rewriting != null && path.startsWith("/")) {
            assertThat(rewriting.apply(path, block)).startsWith("/");
        }
        MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("x-user", headerValue);
        HeaderEdits.of(new HeaderOperations(Map.of("x-set", "1"), Map.of("x-add", "2"), List.of("x-user")))
                .applyTo(headers);
        assertThat(headers.contains("x-user")).isFalse();
    }

    private static void assertNormal(String path) {
        String p = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        assertThat(p).startsWith("/").doesNotContain("//").doesNotContain("/./").doesNotContain("/../")
                .doesNotContain("\\").doesNotEndWith("/..").doesNotEndWith("/.");
        assertThat(p.toUpperCase(java.util.Locale.ROOT)).doesNotContainPattern("%(4[1-9A-F]|5[0-9A]|6[1-9A-F]|7[0-9A]"
                + "|3[0-9]|2D|2E|5F|7E)");
        assertThat(PathNormalizer.normalize(path)).as("normalising twice changes nothing").isEqualTo(path);
    }

    /**
     * A string match of any kind, or none; a regex only as the validator accepts it (RE2, bounded; checked folded
     * where the proxy folds it: the authority).
     */
    private static StringMatch match(FuzzedDataProvider data, boolean folded) {
        return switch (data.consumeInt(0, 3)) {
            case 0 -> null;
            case 1 -> new StringMatch(data.consumeString(20), null, null);
            case 2 -> new StringMatch(null, data.consumeString(20), null);
            default -> {
                String regex = regex(data, folded);
                yield regex == null ? null : new StringMatch(null, null, regex);
            }
        };
    }

    private static String regex(FuzzedDataProvider data, boolean folded) {
        String regex = data.consumeString(30);
        var problem = Re2.problem(regex, folded);
        // The time limit is a backstop: a pattern that reaches it is one the fold guard should have foreseen.
        assertThat(problem.filter(p -> p.startsWith("does not compile case-insensitively within")))
                .as("the fold guard missed %s (folded: %s)", regex, folded).isEmpty();
        return problem.isPresent() ? null : regex;
    }
}
