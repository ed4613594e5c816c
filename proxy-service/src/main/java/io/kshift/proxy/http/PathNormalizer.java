package io.kshift.proxy.http;

/**
 * Request paths as Envoy normalises them before routing (Istio's {@code MERGE_SLASHES} normalisation): percent-encoded
 * unreserved characters decoded ({@code %41} is {@code A}) and other escapes upper-cased, runs of slashes merged,
 * dot segments resolved (RFC 3986 5.2.4; never above the root). The query is left as it is. So {@code /a//b/../c}
 * is matched, and forwarded, as {@code /a/c}: a route on a prefix cannot be walked around by spelling. A pure
 * function; null for a path that is not valid (a broken escape), which the listener answers 400.
 */
final class PathNormalizer {
    private PathNormalizer() {
    }

    static String normalize(String uri) {
        if (uri == null || uri.isEmpty() || uri.charAt(0) != '/') {
            return uri; // "*" (OPTIONS), or an absolute form: not a path to normalise
        }
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        if (path.indexOf('%') < 0 && path.indexOf("//") < 0 && path.indexOf("/.") < 0) {
            return uri; // the usual case: nothing to do, nothing allocated
        }
        String decoded = decodeUnreserved(path);
        if (decoded == null) {
            return null;
        }
        String normal = removeDotSegments(mergeSlashes(decoded));
        return q < 0 ? normal : normal + uri.substring(q);
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
            int hi = Character.digit(path.charAt(i + 1), 16);
            int lo = Character.digit(path.charAt(i + 2), 16);
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

    /** RFC 3986 5.2.4 for an absolute path (slashes already merged). */
    private static String removeDotSegments(String path) {
        if (path.indexOf("/.") < 0) {
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
