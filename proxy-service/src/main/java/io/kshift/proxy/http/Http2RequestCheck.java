package io.kshift.proxy.http;

import io.netty.handler.codec.http.HttpHeaderValidationUtil;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.Map;

/**
 * What makes an HTTP/2 request malformed on the way to an HTTP/1 upstream (RFC 9113 §8.2.1, §8.3.1): a field name
 * or {@code :method} that is not a token, a field value with a control character (NUL, CR, LF and the others but
 * tab, which Netty's header maps refuse), a {@code :path} or {@code :authority}
 * with a space or a control character, a {@code :scheme} other than http or https. HTTP/1 has its text framing to
 * lose to them: written as they came, a value with CR LF in it is two headers upstream, and one that ends a head and
 * starts another request is smuggled onto a pooled connection, whose next user then reads the smuggled request's
 * answer. Netty's HTTP/1 decoder refuses such requests itself (400); its HTTP/2 decoder checks names but not
 * values, so HTTP/2 requests are checked here, as Envoy's HTTP/2 codec checks them, before anything of theirs is
 * routed or copied.
 */
final class Http2RequestCheck {
    private Http2RequestCheck() {
    }

    /** Why {@code request} cannot be forwarded, or null: always null for HTTP/1 (its decoder checked it). */
    static String malformed(HttpServerRequest request) {
        if (request.version() != HttpVersion.HTTP_2) {
            return null;
        }
        // :method reaches the upstream request line (Netty refuses a method that is not a token before this, and the
        // connection with it: kept as a guard). A CONNECT has no :path or :scheme.
        if (!token(request.method().name())) {
            return "its :method is not a token";
        }
        String scheme = request.scheme();
        if (scheme != null && !scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) {
            return "its :scheme is neither http nor https";
        }
        if (request.uri() != null && !visible(request.uri())) {
            return "its :path has a space or a control character";
        }
        String authority = request.host();
        if (authority != null && !visible(authority)) {
            return "its :authority has a space or a control character";
        }
        for (Map.Entry<String, String> header : request.headers()) {
            String name = header.getKey();
            if (!token(name)) {
                return "a header name is not a token";
            }
            // Netty's value check (no control character but tab), as its HTTP/1 decoder and the header maps the request
            // is copied into apply it: RFC 9113 forbids NUL, CR and LF, and the rest would throw further on.
            if (HttpHeaderValidationUtil.validateValidHeaderValue(header.getValue()) >= 0) {
                return "header " + name + " has a control character in its value";
            }
        }
        return null;
    }

    /** No space, control character or DEL: what a request target or authority may hold. */
    static boolean visible(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** An RFC 9110 token: Netty's own check, the one its HTTP/1 decoder applies. */
    private static boolean token(CharSequence s) {
        return !s.isEmpty() && HttpHeaderValidationUtil.validateToken(s) < 0;
    }
}
