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

    /** The cookie to hash on; with a {@code ttl}, a proxy makes and sets it (Set-Cookie) when the request has none. */
    public record HttpCookie(@jakarta.validation.constraints.NotBlank(message = "is required") String name, String path,
                             @io.kshift.model.constraint.IstioDurationValue String ttl) {
    }
}
