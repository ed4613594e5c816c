package io.kshift.model.istio;

import jakarta.validation.Valid;

/** {@code connectionPool}: the TCP settings toward each endpoint. */
public record ConnectionPoolSettings(@Valid TcpSettings tcp) {

    /**
     * Durations are Istio durations ({@code 10s}, {@code 250ms}), checked by the validator. {@code connectTimeout}
     * bounds connecting to an endpoint; {@code maxConnectionDuration}, when set, closes a connection that old, so
     * long-lived connections come back and land on the current weights.
     */
    public record TcpSettings(String connectTimeout, String maxConnectionDuration) {
    }
}
