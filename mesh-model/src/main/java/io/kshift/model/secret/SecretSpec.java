package io.kshift.model.secret;

import io.kshift.model.Lists;
import io.kshift.model.resource.ResourceSpec;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Core {@code v1 Secret}: its {@code type} and {@code data} (base64 values; {@code stringData} is folded into
 * {@code data} when read, as the Kubernetes API server does). Written at the top level of the object, as Kubernetes
 * writes it, not under a {@code spec}. Private entries ({@link #isPrivate}) never travel in the clear: config-service
 * seals them ({@link FleetKeys}) before a change reaches Kafka, so here they hold {@code sealed:v1:...} values.
 */
public record SecretSpec(String type, Map<String, String> data, Boolean immutable) implements ResourceSpec {
    public static final String TLS = "kubernetes.io/tls";
    public static final String OPAQUE = "Opaque";
    public static final String TLS_CERT = "tls.crt";
    public static final String TLS_KEY = "tls.key";
    public static final String CA_CERT = "ca.crt";
    /** Istio's generic-Secret names for a gateway's credential: {@code cert}, {@code key}, {@code cacert}. */
    public static final String GENERIC_CERT = "cert";
    public static final String GENERIC_KEY = "key";
    public static final String GENERIC_CA = "cacert";
    private static final Set<String> PUBLIC = Set.of(TLS_CERT, CA_CERT, GENERIC_CERT, GENERIC_CA, "ca.crl");
    /** What GET answers and dry-run diffs show in place of a private entry. */
    public static final String REDACTED = "<redacted>";

    public SecretSpec {
        type = type == null || type.isBlank() ? OPAQUE : type;
        data = Lists.copy(data);
    }

    /**
     * Whether an entry is private (sealed on the bus, redacted when shown): everything but certificates and CA
     * bundles, so an Opaque Secret's unknown entries are kept secret too.
     */
    public static boolean isPrivate(String entry) {
        return !PUBLIC.contains(entry);
    }

    /** A public entry's bytes (base64-decoded); empty when absent. */
    public Optional<byte[]> publicBytes(String entry) {
        String v = data.get(entry);
        if (v == null || isPrivate(entry)) {
            return Optional.empty();
        }
        return Optional.of(Base64.getMimeDecoder().decode(v));
    }

    /** The certificate chain entry of a TLS credential: {@code tls.crt}, or Istio's generic {@code cert}. */
    public Optional<String> certificateEntry() {
        return data.containsKey(TLS_CERT) ? Optional.of(TLS_CERT)
                : data.containsKey(GENERIC_CERT) ? Optional.of(GENERIC_CERT) : Optional.empty();
    }

    /** The private key entry of a TLS credential: {@code tls.key}, or Istio's generic {@code key}. */
    public Optional<String> keyEntry() {
        return data.containsKey(TLS_KEY) ? Optional.of(TLS_KEY)
                : data.containsKey(GENERIC_KEY) ? Optional.of(GENERIC_KEY) : Optional.empty();
    }

    /** The CA bundle entry for validating clients: {@code ca.crt}, or Istio's generic {@code cacert}. */
    public Optional<String> caEntry() {
        return data.containsKey(CA_CERT) ? Optional.of(CA_CERT)
                : data.containsKey(GENERIC_CA) ? Optional.of(GENERIC_CA) : Optional.empty();
    }

    /** This Secret as it may be shown: private entries replaced by {@link #REDACTED}. */
    public SecretSpec redacted() {
        Map<String, String> shown = new java.util.TreeMap<>();
        data.forEach((k, v) -> shown.put(k, isPrivate(k) ? REDACTED + fingerprint(v) : v));
        return new SecretSpec(type, shown, immutable);
    }

    /** A short digest of a sealed value, so a diff still shows that a key changed, never what it is. */
    private static String fingerprint(String sealed) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(sealed.getBytes(StandardCharsets.US_ASCII));
            return " sha256:" + java.util.HexFormat.of().formatHex(d, 0, 6);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
