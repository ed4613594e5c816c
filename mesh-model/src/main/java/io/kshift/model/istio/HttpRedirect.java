package io.kshift.model.istio;

import io.kshift.model.constraint.OneOf;
import io.kshift.model.constraint.PortNumber;
import jakarta.validation.constraints.Pattern;

/**
 * Answer with a redirect instead of forwarding: the parts given replace those of the request's URL. The port: the one
 * given, or {@code derivePort} ({@code FROM_PROTOCOL_DEFAULT}: the scheme's own, left out of the URL;
 * {@code FROM_REQUEST_PORT}: the request's), else the request's unless the authority is replaced, as Envoy's.
 */
@OneOf({"port", "derivePort"})
public record HttpRedirect(
        @Pattern(regexp = HttpRewrite.PATH_TEXT, message = HttpRewrite.PATH_MESSAGE) String uri,
        @Pattern(regexp = HttpRewrite.PATH_TEXT, message = HttpRewrite.HOST_MESSAGE) String authority,
        @PortNumber Integer port,
        @Pattern(regexp = "https?", message = "must be http or https") String scheme,
        Integer redirectCode,
        DerivePort derivePort) {

    public static final java.util.Set<Integer> CODES = java.util.Set.of(301, 302, 303, 307, 308);

    /** Istio's {@code HTTPRedirect.RedirectPortSelection}. */
    public enum DerivePort { FROM_PROTOCOL_DEFAULT, FROM_REQUEST_PORT }

    public HttpRedirect(String uri, String authority, Integer port, String scheme, Integer redirectCode) {
        this(uri, authority, port, scheme, redirectCode, null);
    }

    public int code() {
        return redirectCode == null ? 301 : redirectCode;
    }
}
