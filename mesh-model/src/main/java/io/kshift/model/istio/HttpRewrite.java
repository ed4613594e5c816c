package io.kshift.model.istio;

import io.kshift.model.constraint.RegexValue;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;

/**
 * Rewrites before forwarding: {@code uri} replaces the part of the path the route's uri match matched (all of it
 * when the match was not a prefix), {@code uriRegexRewrite} rewrites the path by regex, {@code authority} replaces
 * the Host.
 */
public record HttpRewrite(@Pattern(regexp = PATH_TEXT, message = PATH_MESSAGE) String uri,
                          @Pattern(regexp = PATH_TEXT, message = HOST_MESSAGE) String authority,
                          @Valid RegexRewrite uriRegexRewrite) {
    /**
     * What may go into a request path: printable ASCII without spaces (anything else would break the request line,
     * and belongs percent-encoded).
     */
    public static final String PATH_TEXT = "[\\x21-\\x7E]*";
    public static final String PATH_MESSAGE =
            "must be a path: printable ASCII without spaces (percent-encode the rest)";
    /** Authorities and host names go into request lines and headers as they are. */
    public static final String HOST_MESSAGE = "must be a host[:port]: printable ASCII without spaces";


    public HttpRewrite(String uri, String authority) {
        this(uri, authority, null);
    }

    /** Istio's {@code uriRegexRewrite}: every match of {@code match} in the path becomes {@code rewrite}. */
    public record RegexRewrite(@RegexValue String match,
                               @Pattern(regexp = PATH_TEXT, message = PATH_MESSAGE) String rewrite) {
    }
}
