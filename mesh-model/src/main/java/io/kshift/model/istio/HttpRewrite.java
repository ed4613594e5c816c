package io.kshift.model.istio;

/** Rewrites before forwarding: {@code uri} replaces the part the uri match matched (all of it when none), {@code authority} the Host. */
public record HttpRewrite(String uri, String authority) {
}
