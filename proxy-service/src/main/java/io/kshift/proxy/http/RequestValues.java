package io.kshift.proxy.http;

import io.vertx.core.http.HttpServerRequest;
import java.util.List;

/**
 * The values route matching and consistent hashing read off a request, as Envoy reads them: a header repeated on
 * several lines is its values joined with {@code ,} (so {@code x-groups: alpha} and {@code x-groups: beta} match
 * {@code .*beta.*}); the pseudo-headers {@code :authority}, {@code :method}, {@code :path} and {@code :scheme} name
 * the request's own, on HTTP/1 too (Envoy keeps a HTTP/1 Host as {@code :authority}); a query parameter is the
 * first of its name in the raw query, the name compared exactly and the value not decoded (Envoy's
 * {@code parseQueryString}: split on {@code &} only).
 */
final class RequestValues {
    private RequestValues() {
    }

    /** The header {@code name} of {@code request}, null when it has none. */
    static String header(HttpServerRequest request, String name, String uri) {
        if (!name.isEmpty() && name.charAt(0) == ':') {
            return switch (name.toLowerCase(java.util.Locale.ROOT)) {
                case ":authority" -> request.host();
                case ":method" -> request.method().name();
                case ":path" -> uri;
                case ":scheme" -> request.scheme();
                default -> null;
            };
        }
        List<String> all = request.headers().getAll(name);
        return all.isEmpty() ? null : all.size() == 1 ? all.get(0) : String.join(",", all);
    }

    /** The first value of query parameter {@code name} in {@code uri} ("" when it has no {@code =}), or null. */
    static String query(String uri, String name) {
        int start = uri.indexOf('?');
        if (start < 0 || name.indexOf('=') >= 0 || name.indexOf('&') >= 0) {
            return null; // a key ends at its pair's first '=': no key holds one
        }
        int end = uri.indexOf('#', start);
        end = end < 0 ? uri.length() : end;
        int n = name.length();
        for (int at = start + 1; at <= end; ) {
            int amp = uri.indexOf('&', at);
            int stop = amp < 0 || amp > end ? end : amp;
            // Only this pair is looked at (an '=' searched for further on made a long query quadratic).
            if (uri.startsWith(name, at) && (at + n == stop || at + n < stop && uri.charAt(at + n) == '=')) {
                return at + n == stop ? "" : uri.substring(at + n + 1, stop);
            }
            at = stop + 1;
        }
        return null;
    }
}
