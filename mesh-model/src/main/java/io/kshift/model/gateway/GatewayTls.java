package io.kshift.model.gateway;

import jakarta.validation.Valid;

/**
 * A Gateway's {@code spec.tls}: how its HTTPS ports validate client certificates ({@code frontend}). The client
 * certificate it would present to backends ({@code backend}) is not served: kshift originates TLS to backends by a
 * DestinationRule's {@code tls}, which names its own certificate.
 */
public record GatewayTls(@Valid FrontendTls frontend) {
}
