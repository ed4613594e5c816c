package io.kshift.proxy.http;

/**
 * Request paths as Envoy normalises them before routing (Istio's {@code MERGE_SLASHES} normalisation): percent-encoded
 * unreserved characters decoded ({@code %41} is {@code A}) and other escapes upper-cased, backslashes read as
 * slashes (as Envoy's URL canonicaliser does), dot segments resolved (RFC 3986 5.2.4; never above the root), then
 * runs of slashes merged; a {@code #fragment} is stripped. The query is left as it is. An absolute-form target ({@code http://h/p}) becomes its
 * origin form, normalised. So {@code /a/b/../c} is matched, and forwarded, as {@code /a/c}: a route on a prefix
 * cannot be walked around by spelling. A pure function; null for a path that is not valid (a broken escape), which
 * the listener answers 400.
 */
final class PathNormalizer {
    private PathNormalizer() {
    }

    static String normalize(String uri) {
        if (uri == null || uri.isEmpty()) {
            return uri;
        }
        int fragment = uri.indexOf('#');
        if (fragment >= 0) {
            // No part of a request target (RFC 9110): stripped before matching and forwarding, as Istio has Envoy do
            // (http_reject_path_with_fragment off). Kept, "/admin#x" escaped an exact or regex match on /admin and
            // reached backends that drop fragments as /admin.
            return fragment == 0 ? null : normalize(uri.substring(0, fragment));
        }
        if (uri.charAt(0) != '/') {
            int scheme = uri.indexOf("://");
            if (scheme <= 0) {
                return uri; // "*" (OPTIONS) or an authority (CONNECT): no path
            }
            // Absolute form: forwarded in origin form, its path normalised like any other.
            int start = scheme + 3;
            int end = start;
            while (end < uri.length() && uri.charAt(end) != '/' && uri.charAt(end) != '?') {
                end++;
            }
            String origin = end == uri.length() ? "/" : uri.charAt(end) == '?' ? "/" + uri.substring(end)
                    : uri.substring(end);
            return normalize(origin);
        }
        int q = uri.indexOf('?');
        int pathEnd = q < 0 ? uri.length() : q;
        if (clean(uri, pathEnd)) {
            return uri; // the usual case: nothing to do, nothing allocated
        }
        String decoded = decodeUnreserved(uri.substring(0, pathEnd));
        if (decoded == null) {
            return null;
        }
        String normal = mergeSlashes(removeDotSegments(decoded.replace('\\', '/')));
        return q < 0 ? normal : normal + uri.substring(q);
    }

    /** No escape, backslash, doubled slash or dot segment before {@code end}. */
    private static boolean clean(String uri, int end) {
        char previous = 0;
        for (int i = 0; i < end; i++) {
            char c = uri.charAt(i);
            if (c == '%' || c == '\\' || (c == '/' && previous == '/') || (c == '.' && previous == '/')) {
                return false;
            }
            previous = c;
        }
        return true;
    }

    private static String decodeUnreserved(String path) {
        if (path.indexOf('%') < 0) {
            return path;
        }
        StringBuilder out = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (i + 2 >= path.length()) {
                return null;
            }
            int hi = hex(path.charAt(i + 1));
            int lo = hex(path.charAt(i + 2));
            if (hi < 0 || lo < 0) {
                return null;
            }
            char decoded = (char) (hi * 16 + lo);
            if (unreserved(decoded)) {
                out.append(decoded);
            } else {
                out.append('%').append(Character.toUpperCase(path.charAt(i + 1)))
                        .append(Character.toUpperCase(path.charAt(i + 2)));
            }
            i += 2;
        }
        return out.toString();
    }

    private static int hex(char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10
                : -1;
    }

    private static boolean unreserved(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                || c == '_' || c == '~';
    }

    private static String mergeSlashes(String path) {
        if (path.indexOf("//") < 0) {
            return path;
        }
        StringBuilder out = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c != '/' || out.length() == 0 || out.charAt(out.length() - 1) != '/') {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** RFC 3986 5.2.4 for an absolute path; empty segments are segments ({@code /a//../b} is {@code /a/b}). */
    private static String removeDotSegments(String path) {
        if (!path.contains("/.")) {
            return path;
        }
        java.util.ArrayDeque<String> segments = new java.util.ArrayDeque<>();
        String[] parts = path.substring(1).split("/", -1);
        for (int i = 0; i < parts.length; i++) {
            String s = parts[i];
            boolean last = i == parts.length - 1;
            if (s.equals(".")) {
                if (last) {
                    segments.addLast("");
                }
            } else if (s.equals("..")) {
                segments.pollLast();
                if (last) {
                    segments.addLast("");
                }
            } else {
                segments.addLast(s);
            }
        }
        return "/" + String.join("/", segments);
    }
}
