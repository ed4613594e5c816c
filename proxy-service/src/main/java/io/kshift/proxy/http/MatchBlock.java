package io.kshift.proxy.http;

import io.kshift.model.istio.HttpMatchRequest;
import io.kshift.model.istio.StringMatch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One compiled {@code match[]} block: every condition it sets must hold. Header and parameter names are compared
 * case-insensitively for headers (HTTP says so) and exactly for query parameters. {@code gateways} are checked
 * when the table is built (a block naming other gateways is left out of this listener's routes).
 */
record MatchBlock(StringMatcher uri, StringMatcher scheme, StringMatcher method, StringMatcher authority,
                  Map<String, StringMatcher> headers, Map<String, StringMatcher> withoutHeaders,
                  Map<String, StringMatcher> queryParams, Integer port) {

    static final MatchBlock EVERYTHING = new MatchBlock(null, null, null, null, Map.of(), Map.of(), Map.of(), null);

    static MatchBlock of(HttpMatchRequest m) {
        boolean ignoreUriCase = Boolean.TRUE.equals(m.ignoreUriCase());
        return new MatchBlock(StringMatcher.uri(m.uri(), ignoreUriCase), StringMatcher.of(m.scheme(), false),
                StringMatcher.of(m.method(), false), StringMatcher.of(m.authority(), true), named(m.headers()),
                named(m.withoutHeaders()), named(m.queryParams()), m.port());
    }

    private static Map<String, StringMatcher> named(Map<String, StringMatch> in) {
        Map<String, StringMatcher> out = new LinkedHashMap<>();
        // A null (refused by the validator) is taken as {}: present, never a failed build.
        in.forEach((k, v) -> out.put(k, StringMatcher.of(v == null ? new StringMatch(null, null, null) : v, false)));
        return Map.copyOf(out);
    }

    boolean matches(RequestView r) {
        if (port != null && port != r.port()) {
            return false;
        }
        if (uri != null && !uri.test(r.path())) {
            return false;
        }
        if (method != null && !method.test(r.method())) {
            return false;
        }
        if (scheme != null && !scheme.test(r.scheme())) {
            return false;
        }
        if (authority != null && !authority.test(r.authority())) {
            return false;
        }
        for (Map.Entry<String, StringMatcher> h : headers.entrySet()) {
            if (!h.getValue().test(r.header().apply(h.getKey()))) {
                return false;
            }
        }
        for (Map.Entry<String, StringMatcher> h : withoutHeaders.entrySet()) {
            // Istio sets treat_missing_header_as_empty on these (but presence): a missing header is "", so
            // {exact: ""} or a regex matching "" excludes requests without it.
            String value = r.header().apply(h.getKey());
            if (h.getValue().test(value == null && !h.getValue().presence() ? "" : value)) {
                return false;
            }
        }
        for (Map.Entry<String, StringMatcher> q : queryParams.entrySet()) {
            if (!q.getValue().test(r.query().apply(q.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** The first block of {@code blocks} that matches (none: every request matches), or null. */
    static MatchBlock first(List<MatchBlock> blocks, RequestView r) {
        if (blocks.isEmpty()) {
            return EVERYTHING;
        }
        for (MatchBlock b : blocks) {
            if (b.matches(r)) {
                return b;
            }
        }
        return null;
    }
}
