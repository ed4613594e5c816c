package io.kshift.model.istio;

import io.kshift.model.constraint.OneOf;
import jakarta.validation.Valid;

/** {@code loadBalancer}: how an endpoint is chosen inside a subset, either a simple policy or a consistent hash. */
@OneOf({"simple", "consistentHash"})
public record LoadBalancerSettings(SimpleLb simple, @Valid ConsistentHashLb consistentHash) {

    public LoadBalancerSettings(SimpleLb simple) {
        this(simple, null);
    }

    public enum SimpleLb {
        UNSPECIFIED, ROUND_ROBIN, RANDOM, LEAST_REQUEST, LEAST_CONN, PASSTHROUGH
    }

    /** Sticky endpoint choice: requests with the same header, cookie, query parameter or source IP go to one endpoint. */
    @OneOf(value = {"httpHeaderName", "httpCookie", "useSourceIp", "httpQueryParameterName"}, required = true)
    public record ConsistentHashLb(String httpHeaderName, @Valid HttpCookie httpCookie, Boolean useSourceIp,
                                   String httpQueryParameterName) {
    }

    /**
     * The cookie to hash on; with a {@code ttl}, a proxy makes and sets it (Set-Cookie) when the request has none,
     * with {@code attributes} (say {@code SameSite=Strict}, {@code Secure}) after its Path, as Envoy writes them.
     */
    public record HttpCookie(@jakarta.validation.constraints.NotBlank(message = "is required") String name, String path,
                             @io.kshift.model.constraint.IstioDurationValue String ttl,
                             java.util.List<@Valid Attribute> attributes) {
        public HttpCookie {
            attributes = io.kshift.model.Lists.copy(attributes);
        }

        public HttpCookie(String name, String path, String ttl) {
            this(name, path, ttl, null);
        }
    }

    /** One cookie attribute: {@code name=value}, or {@code name} alone without a value. */
    public record Attribute(
            @jakarta.validation.constraints.NotBlank(message = "is required")
            @jakarta.validation.constraints.Pattern(regexp = "[!#$%&'*+.^_`|~0-9A-Za-z-]*",
                    message = "must be a cookie attribute name (letters, digits and !#$%&'*+.^_`|~-; no spaces, ';'"
                            + " or '=')") String name,
            @jakarta.validation.constraints.Pattern(regexp = "[^;\\x00-\\x1f\\x7f]*",
                    message = "must not hold ';' or control characters") String value) {
    }
}
