package io.kshift.model.istio;

import jakarta.validation.Valid;

/** {@code connectionPool}: the TCP settings toward each endpoint. */
public record ConnectionPoolSettings(@Valid TcpSettings tcp) {

    /** {@code connectTimeout} is an Istio duration ({@code 10s}, {@code 250ms}); checked by the validator. */
    public record TcpSettings(String connectTimeout) {
    }
}
