package io.kshift.model.istio;

import io.kshift.model.constraint.PortNumber;
import jakarta.validation.constraints.Pattern;

/** Answer with a redirect instead of forwarding: the parts given replace those of the request's URL. */
public record HttpRedirect(
        String uri,
        String authority,
        @PortNumber Integer port,
        @Pattern(regexp = "https?", message = "must be http or https") String scheme,
        Integer redirectCode) {

    public static final java.util.Set<Integer> CODES = java.util.Set.of(301, 302, 303, 307, 308);

    public int code() {
        return redirectCode == null ? 301 : redirectCode;
    }
}
