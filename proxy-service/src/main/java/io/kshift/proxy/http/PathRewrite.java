package io.kshift.proxy.http;

import io.kshift.model.istio.HttpRewrite;
import com.google.re2j.Pattern;
import io.kshift.model.regex.Re2;

/**
 * Istio's path rewrite: {@code uri} replaces the prefix the matching block matched ({@code /} when it had no uri
 * condition, the whole path for an exact or regex match), as Envoy's {@code prefix_rewrite} on Istio's routes;
 * {@code uriRegexRewrite} replaces every regex match ({@code \1} in the replacement is a group, as in RE2).
 * The query string is kept.
 */
record PathRewrite(String uri, Pattern regex, String replacement) {

    static PathRewrite of(HttpRewrite rewrite) {
        if (rewrite == null || (rewrite.uri() == null && rewrite.uriRegexRewrite() == null)) {
            return null;
        }
        var r = rewrite.uriRegexRewrite();
        if (r != null && (r.match() == null || r.rewrite() == null)) {
            // Refused by validation, but once accepted: no rewrite rather than a table that does not build or a
            // request that throws.
            r = null;
            if (rewrite.uri() == null) {
                return null;
            }
        }
        return r == null ? new PathRewrite(rewrite.uri(), null, null)
                : new PathRewrite(null, Re2.compile(r.match(), false), r.rewrite());
    }

    /** {@code pathAndQuery} rewritten; {@code matched} is the block whose uri match chose the route. */
    String apply(String pathAndQuery, MatchBlock matched) {
        int q = pathAndQuery.indexOf('?');
        String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        String query = q < 0 ? "" : pathAndQuery.substring(q);
        String rewritten;
        if (regex != null) {
            rewritten = Re2.replaceAll(regex, path, replacement);
        } else {
            StringMatcher m = matched == null ? null : matched.uri();
            if (m == null) {
                // No uri condition: Istio's Envoy route matches the prefix "/", and that is what is replaced
                // (rewrite /v2 on /users sends /v2users, as Envoy does; /v2/ sends /v2/users).
                rewritten = path.startsWith("/") ? uri + path.substring(1) : uri + path;
            } else if (m.prefix() != null && path.length() >= m.prefix().length()) {
                rewritten = uri + path.substring(m.prefix().length());
            } else {
                rewritten = uri; // an exact or regex match: Envoy's matched path is the whole path
            }
        }
        // A request target is a path: a rewrite to "v2" or a regex replacing the leading slash still sends "/v2".
        return (rewritten.startsWith("/") ? rewritten : "/" + rewritten) + query;
    }
}
