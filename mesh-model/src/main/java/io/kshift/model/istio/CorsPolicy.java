package io.kshift.model.istio;

import io.kshift.model.Lists;
import io.kshift.model.constraint.IstioDurationValue;
import jakarta.validation.Valid;
import java.util.List;

/**
 * Istio's {@code corsPolicy} (and the Gateway API CORS filter, translated to it): which origins may call the
 * route from a browser, what a preflight is answered with, and what an actual response tells the browser.
 * {@code unmatchedPreflights}: {@code FORWARD} (default) sends a preflight from an origin not allowed upstream
 * like any request; {@code IGNORE} answers it here, without CORS headers.
 */
public record CorsPolicy(List<@Valid StringMatch> allowOrigins, List<@HeaderText String> allowMethods,
                         List<@HeaderText String> allowHeaders, List<@HeaderText String> exposeHeaders,
                         @IstioDurationValue String maxAge, Boolean allowCredentials,
                         UnmatchedPreflights unmatchedPreflights) {

    /** Goes into a response header as it is: no line breaks or other control characters. */
    @jakarta.validation.constraints.Pattern(regexp = "[^\\x00-\\x1f\\x7f]*",
            message = "must not contain line breaks or other control characters")
    @java.lang.annotation.Target({java.lang.annotation.ElementType.TYPE_USE})
    @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
    @jakarta.validation.Constraint(validatedBy = {})
    public @interface HeaderText {
        String message() default "must not contain line breaks or other control characters";

        Class<?>[] groups() default {};

        Class<? extends jakarta.validation.Payload>[] payload() default {};
    }

    public enum UnmatchedPreflights { UNSPECIFIED, FORWARD, IGNORE }

    public CorsPolicy {
        allowOrigins = Lists.copy(allowOrigins);
        allowMethods = Lists.copy(allowMethods);
        allowHeaders = Lists.copy(allowHeaders);
        exposeHeaders = Lists.copy(exposeHeaders);
    }
}
