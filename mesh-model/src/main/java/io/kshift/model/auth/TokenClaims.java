package io.kshift.model.auth;

/**
 * The claims kshift reads from a bearer token (a signed JWT): {@code sub} (who, for the audit trail),
 * {@code groups} (the {@link Role}), and {@value #NAMESPACES}, the namespaces an editor may change (absent or
 * empty: every namespace). The local fleet's tokens are issued by {@value #LOCAL_ISSUER}.
 */
public final class TokenClaims {
    public static final String NAMESPACES = "kshift.io/namespaces";
    public static final String LOCAL_ISSUER = "kshift-local";

    private TokenClaims() {
    }
}
