package io.kshift.model.istio;

import io.kshift.model.constraint.RegexValue;
import jakarta.validation.Valid;

/**
 * Rewrites before forwarding: {@code uri} replaces the part of the path the route's uri match matched (all of it
 * when the match was not a prefix), {@code uriRegexRewrite} rewrites the path by regex, {@code authority} replaces
 * the Host.
 */
public record HttpRewrite(String uri, String authority, @Valid RegexRewrite uriRegexRewrite) {

    public HttpRewrite(String uri, String authority) {
        this(uri, authority, null);
    }

    /** Istio's {@code uriRegexRewrite}: every match of {@code match} in the path becomes {@code rewrite}. */
    public record RegexRewrite(@RegexValue String match, String rewrite) {
    }
}
