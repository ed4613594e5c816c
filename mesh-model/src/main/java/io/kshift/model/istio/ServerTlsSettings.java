package io.kshift.model.istio;

import io.kshift.model.Lists;
import java.util.List;

/**
 * A Gateway server's {@code tls}: {@code SIMPLE} terminates with the certificate of the Secret
 * {@code credentialName} (or up to two, {@code credentialNames}, say RSA and ECDSA), {@code MUTUAL} also requires a
 * client certificate signed by the Secret's {@code ca.crt}/{@code cacert} (or the Secret {@code <name>-cacert}, or
 * {@code caCertCredentialName}), {@code PASSTHROUGH} routes by SNI without terminating; {@code httpsRedirect} makes an
 * HTTP server answer every request with a 301 to https. The credential Secrets live in the Gateway's namespace.
 * With a client certificate asked for, {@code subjectAltNames} are names it must carry one of, and
 * {@code verifyCertificateSpki} (base64 SHA-256 of its public key) and {@code verifyCertificateHash} (hex SHA-256 of
 * the certificate) the only certificates let in. {@code cipherSuites}: the TLS 1.2 suites offered
 * ({@link io.kshift.model.routing.CipherSuites}).
 */
public record ServerTlsSettings(Boolean httpsRedirect, Mode mode, String credentialName, List<String> credentialNames,
                                String caCertCredentialName, ProtocolVersion minProtocolVersion,
                                ProtocolVersion maxProtocolVersion, List<@NotEmpty String> subjectAltNames,
                                List<@NotEmpty String> verifyCertificateSpki,
                                List<@NotEmpty String> verifyCertificateHash, List<@NotEmpty String> cipherSuites) {
    /** No list entry is null or empty: an entry never matches by being blank. */
    @java.lang.annotation.Target({java.lang.annotation.ElementType.TYPE_USE})
    @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
    @jakarta.validation.constraints.NotBlank(message = "must not be empty")
    @jakarta.validation.Constraint(validatedBy = {})
    @jakarta.validation.ReportAsSingleViolation
    @interface NotEmpty {
        String message() default "must not be empty";

        Class<?>[] groups() default {};

        Class<? extends jakarta.validation.Payload>[] payload() default {};
    }

    public enum Mode { PASSTHROUGH, SIMPLE, MUTUAL, AUTO_PASSTHROUGH, ISTIO_MUTUAL, OPTIONAL_MUTUAL }

    public enum ProtocolVersion { TLS_AUTO, TLSV1_0, TLSV1_1, TLSV1_2, TLSV1_3 }

    public ServerTlsSettings {
        credentialNames = Lists.copy(credentialNames);
        subjectAltNames = Lists.copy(subjectAltNames);
        verifyCertificateSpki = Lists.copy(verifyCertificateSpki);
        verifyCertificateHash = Lists.copy(verifyCertificateHash);
        cipherSuites = Lists.copy(cipherSuites);
    }

    public boolean redirects() {
        return Boolean.TRUE.equals(httpsRedirect);
    }

    /** The mode, {@code SIMPLE} when absent (Istio's default is PASSTHROUGH only with no credentials at all). */
    public Mode effectiveMode() {
        if (mode != null) {
            return mode;
        }
        return credentialName == null && credentialNames.isEmpty() ? Mode.PASSTHROUGH : Mode.SIMPLE;
    }

    /** The credential Secrets' names, in order. */
    public List<String> credentials() {
        if (!credentialNames.isEmpty()) {
            return credentialNames;
        }
        return credentialName == null ? List.of() : List.of(credentialName);
    }
}
