package io.kshift.model.istio;

import io.kshift.model.constraint.IstioDurationValue;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;

/**
 * Retries: up to {@code attempts} more tries, each bounded by {@code perTryTimeout}, on the conditions of
 * {@code retryOn} (Envoy's names, comma-separated; plain status codes such as {@code 503} also count), each after
 * at least {@code backoff} (unset: Envoy's 25 ms base, fully jittered). {@code retryIgnorePreviousHosts} (Istio's
 * default true) changes nothing here: a retry always goes to the next endpoint in the picker's order (under locality
 * levels, within the level tried unless {@code retryRemoteLocalities}), which is what the load balancer would pick
 * anyway, so an earlier one is tried again only when every other one was.
 */
public record HttpRetry(
        @PositiveOrZero(message = "must not be negative") Integer attempts,
        @IstioDurationValue String perTryTimeout,
        @Pattern(regexp = RetryOn.PATTERN, message = "must be a comma-separated list of "
                + "5xx, gateway-error, connect-failure, refused-stream, retriable-4xx, reset, cancelled, "
                + "deadline-exceeded, internal, resource-exhausted, unavailable, retriable-status-codes, "
                + "retriable-headers, envoy-ratelimited or status codes 100-599")
        String retryOn,
        @IstioDurationValue String backoff,
        Boolean retryIgnorePreviousHosts,
        Boolean retryRemoteLocalities) {
    public HttpRetry(Integer attempts, String perTryTimeout, String retryOn) {
        this(attempts, perTryTimeout, retryOn, null, null, null);
    }

    public HttpRetry(Integer attempts, String perTryTimeout, String retryOn, String backoff) {
        this(attempts, perTryTimeout, retryOn, backoff, null, null);
    }

    public HttpRetry(Integer attempts, String perTryTimeout, String retryOn, String backoff,
                     Boolean retryIgnorePreviousHosts) {
        this(attempts, perTryTimeout, retryOn, backoff, retryIgnorePreviousHosts, null);
    }

    /**
     * Istio's {@code retryRemoteLocalities} (Envoy's {@code previous_priorities}): under locality load balancing a
     * retry goes to the next locality level; without it (the default) it stays in the level of the endpoint tried.
     */
    public boolean remoteLocalities() {
        return Boolean.TRUE.equals(retryRemoteLocalities);
    }
}
