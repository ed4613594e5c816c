package io.kshift.model.gateway;

import jakarta.validation.Valid;

/**
 * GEP-1619 session persistence of an HTTPRoute or GRPCRoute rule: the first answer carries a session (a cookie, or a
 * header with {@code type: Header}) naming the endpoint that served it, and later requests with it go to that endpoint
 * while it is healthy and the session lasts ({@code absoluteTimeout} from its start, {@code idleTimeout} from its last
 * use). {@code cookieConfig.lifetimeType}: {@code Session} (the browser forgets the cookie when it closes, the
 * default) or {@code Permanent} (it lasts {@code absoluteTimeout}).
 */
public record SessionPersistence(
        @jakarta.validation.constraints.Size(max = 128, message = "must be at most 128 characters") String sessionName,
        @io.kshift.model.constraint.IstioDurationValue String absoluteTimeout,
        @io.kshift.model.constraint.IstioDurationValue String idleTimeout,
        Type type,
        @Valid CookieConfig cookieConfig) {

    public enum Type { Cookie, Header }

    public enum LifetimeType { Permanent, Session }

    public record CookieConfig(LifetimeType lifetimeType) {
    }

    /** The API leaves the default name to implementations: this, and a suffix of the rule's. */
    public static final String DEFAULT_NAME = "kshift-session";

    public boolean header() {
        return type == Type.Header;
    }

    public boolean permanent() {
        return cookieConfig != null && cookieConfig.lifetimeType() == LifetimeType.Permanent;
    }
}
