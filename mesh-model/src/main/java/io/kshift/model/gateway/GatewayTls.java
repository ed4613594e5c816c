package io.kshift.model.gateway;

import jakarta.validation.Valid;

/**
 * A Gateway's {@code spec.tls}: how its HTTPS ports validate client certificates ({@code frontend}), and the client
 * certificate it presents to backends where a BackendTLSPolicy has the proxies originate TLS ({@code backend}).
 */
public record GatewayTls(@Valid FrontendTls frontend, @Valid Backend backend) {
    /** {@code clientCertificateRef}: a Secret holding the certificate and key (the Gateway's namespace by default). */
    public record Backend(@Valid SecretObjectReference clientCertificateRef) {
    }

    /** The Secret the Gateway presents to backends, if it names one. */
    public java.util.Optional<SecretObjectReference> clientCertificate() {
        return java.util.Optional.ofNullable(backend).map(Backend::clientCertificateRef);
    }

    /** What a Gateway's {@code spec.tls} names as its client certificate for backends, if it has both. */
    public static java.util.Optional<SecretObjectReference> clientCertificate(GatewayTls tls) {
        return tls == null ? java.util.Optional.empty() : tls.clientCertificate();
    }
}
