package io.kshift.model.istio;

/**
 * A DestinationRule's {@code tls}: how proxies speak to the destination. {@code SIMPLE} originates TLS, verifying the
 * server's certificate against the CA of the Secret {@code credentialName} ({@code ca.crt}/{@code cacert}), or the
 * JDK's trusted CAs without one, for the name {@code sni} (default: the destination host); {@code MUTUAL} also
 * presents the Secret's certificate and key; {@code insecureSkipVerify} accepts any server certificate;
 * {@code DISABLE}, the default, speaks plaintext. The Secret lives in the DestinationRule's namespace.
 * {@code subjectAltNames}: the server's certificate must carry one of them (a DNS name, a URI such as a SPIFFE ID,
 * or an IP address) instead of the SNI name; a ServiceEntry's own list applies where these settings give none.
 */
public record ClientTlsSettings(Mode mode, String credentialName, String sni, Boolean insecureSkipVerify,
                                java.util.List<@jakarta.validation.constraints.NotBlank(message = "must not be empty")
                                        String> subjectAltNames) {
    public enum Mode { DISABLE, SIMPLE, MUTUAL, ISTIO_MUTUAL }

    public ClientTlsSettings {
        subjectAltNames = io.kshift.model.Lists.copy(subjectAltNames);
    }

    /** These settings checking the server's certificate for {@code names} (a ServiceEntry's, where these give none). */
    public ClientTlsSettings withSubjectAltNames(java.util.List<String> names) {
        return new ClientTlsSettings(mode, credentialName, sni, insecureSkipVerify, names);
    }

    /** Whether connections to the destination are TLS. */
    public boolean originates() {
        return mode == Mode.SIMPLE || mode == Mode.MUTUAL;
    }

    public boolean verifies() {
        return !Boolean.TRUE.equals(insecureSkipVerify);
    }
}
