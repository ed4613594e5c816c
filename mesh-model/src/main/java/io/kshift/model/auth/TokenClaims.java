package io.kshift.model.auth;

/**
 * The claims kshift reads from a bearer token (a signed JWT): {@code sub} (who, for the audit trail),
 * {@code groups} (the {@link Role}), and {@value #NAMESPACES}, the namespaces an editor may change (absent:
 * every namespace; present but empty or unreadable: none). The local fleet's tokens are issued by
 * {@value #LOCAL_ISSUER} for audience {@value #AUDIENCE}.
 */
public final class TokenClaims {
    public static final String NAMESPACES = "kshift.io/namespaces";
    public static final String LOCAL_ISSUER = "kshift-local";
    /** The audience kshift's services require ({@code mp.jwt.verify.audiences}): a token minted for another system
     * by the same identity provider is not one for kshift. */
    public static final String AUDIENCE = "kshift";

    private TokenClaims() {
    }
}
