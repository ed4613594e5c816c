package io.kshift.proxy.tls;

import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.Resource;
import io.kshift.model.routing.TlsBindings;
import io.kshift.model.secret.FleetKeys;
import io.kshift.model.secret.SecretSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Turns the Secrets (and ConfigMaps holding client CAs) a termination names into a {@link ServerTls}, opening sealed keys with the fleet key. What
 * does not open or read is logged and that termination left out (its chain serves nothing) rather than failing
 * the whole table: the validator proved the Secrets exist and hold certificates, and config-service that the keys
 * match, so this happens only with a wrong fleet key. {@code previous}: the last table's, reused when equal.
 */
public final class TlsCredentials {
    private static final Logger LOG = Logger.getLogger(TlsCredentials.class);
    private final MeshConfig config;
    private final FleetKeys keys;
    private final Map<ServerTls, ServerTls> previous;
    private final Map<ServerTls, ServerTls> built = new java.util.HashMap<>();

    public TlsCredentials(MeshConfig config, FleetKeys keys, Map<ServerTls, ServerTls> previous) {
        this.config = config;
        this.keys = keys;
        this.previous = previous;
    }

    /** The contexts this build holds, for the next build to reuse. */
    public Map<ServerTls, ServerTls> built() {
        return Map.copyOf(built);
    }

    /** The TLS a set of terminations presents together (one port's), or empty where something does not read. */
    public Optional<ServerTls> of(List<TlsBindings.Termination> terminations) {
        List<ServerTls.Identity> ids = new ArrayList<>();
        String ca = null;
        TlsBindings.ClientAuth auth = null;
        TlsBindings.ClientCertificateRules rules = null;
        List<String> ciphers = List.of();
        List<String> protocols = new ArrayList<>();
        try {
            for (TlsBindings.Termination t : terminations) {
                for (TlsBindings.SecretRef ref : t.certificates()) {
                    ServerTls.Identity id = identity(ref);
                    if (!ids.contains(id)) {
                        ids.add(id);
                    }
                }
                for (TlsBindings.SecretRef ref : t.clientCas()) {
                    String pem = caPem(ref);
                    ca = ca == null ? pem : ca.contains(pem) ? ca : ca + (ca.endsWith("\n") ? "" : "\n") + pem;
                }
                if (auth != null && auth != t.clientAuth()) {
                    // The validator holds a port's chains to one way; were they not, nothing rather than the laxest.
                    throw new IllegalStateException("its servers differ in how clients are held to certificates ("
                            + auth + ", " + t.clientAuth() + ")");
                }
                auth = t.clientAuth();
                if (rules != null && !rules.equals(t.clientRules())) {
                    throw new IllegalStateException("its servers differ in what client certificates must be"
                            + " (subjectAltNames, verifyCertificateSpki, verifyCertificateHash)");
                }
                rules = t.clientRules();
                if (protocols.isEmpty()) {
                    protocols.addAll(versions(t.minVersion(), t.maxVersion()));
                }
                if (ciphers.isEmpty()) {
                    ciphers = t.cipherSuites();
                }
            }
            if (ids.isEmpty()) {
                return Optional.empty();
            }
            ServerTls tls = new ServerTls(ids, ca, auth == null ? TlsBindings.ClientAuth.NONE : auth, protocols,
                    rules == null ? TlsBindings.ClientCertificateRules.NONE : rules, ciphers);
            ServerTls kept = built.computeIfAbsent(tls, k -> previous.getOrDefault(k, k));
            return Optional.of(kept.verified());
        } catch (RuntimeException e) {
            LOG.errorf("TLS on %s is not served: %s", terminations.stream().flatMap(t -> t.certificates().stream())
                    .map(r -> r.secret().toString()).toList(), e.getMessage());
            return Optional.empty();
        }
    }

    private ServerTls.Identity identity(TlsBindings.SecretRef ref) {
        Resource secret = config.get(ref.secret()).orElseThrow(() -> new IllegalStateException(ref.secret()
                + " does not exist"));
        SecretSpec spec = secret.specAs(SecretSpec.class);
        String certEntry = spec.certificateEntry().orElseThrow(() -> new IllegalStateException(ref.secret()
                + " holds no certificate"));
        String keyEntry = spec.keyEntry().orElseThrow(() -> new IllegalStateException(ref.secret()
                + " holds no key"));
        String cert = new String(spec.publicBytes(certEntry).orElseThrow(), StandardCharsets.US_ASCII);
        try {
            return new ServerTls.Identity(cert, keys.openEntry(secret, keyEntry));
        } catch (FleetKeys.SealException e) {
            throw new IllegalStateException(ref.secret() + " " + keyEntry + " " + e.getMessage());
        }
    }

    private String caPem(TlsBindings.SecretRef ref) {
        Resource holder = config.get(ref.secret()).orElseThrow(() -> new IllegalStateException(ref.secret()
                + " does not exist"));
        return TlsBindings.caBundle(holder).orElseThrow(() -> new IllegalStateException(ref.secret()
                + " holds no CA certificate"));
    }

    private static final List<String> ORDER = List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

    /**
     * The versions from {@code min} (null: TLS 1.2, Istio's default) to {@code max} (null: the newest); empty (the
     * library's defaults) when both are null or they leave nothing.
     */
    static List<String> versions(String min, String max) {
        if (min == null && max == null) {
            return List.of();
        }
        int from = min == null ? ORDER.indexOf("TLSv1.2") : ORDER.indexOf(min); // Istio's default minimum
        int to = max == null ? ORDER.size() - 1 : ORDER.indexOf(max);
        return from > to ? List.of() : ORDER.subList(from, to + 1);
    }
}
