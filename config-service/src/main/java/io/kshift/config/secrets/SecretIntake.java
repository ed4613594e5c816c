package io.kshift.config.secrets;

import io.kshift.model.event.Operation;
import io.kshift.model.event.ValidationMessage;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import io.kshift.model.secret.FleetKeys;
import io.kshift.model.secret.Pem;
import io.kshift.model.secret.SecretSpec;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Where a Secret's private entries stop being plaintext: before a change goes onto Kafka, each private entry is
 * checked (a TLS Secret's key must read and belong to its certificate) and sealed with the fleet key
 * ({@link FleetKeys}); a deleted Secret travels with none. Only this service and the proxies hold the key, so the
 * validator judges certificates (public) and references, never keys. An entry already sealed (a Secret read back
 * from a snapshot) must open here, so a sealed value from elsewhere cannot slip in.
 */
@ApplicationScoped
public class SecretIntake {
    private final FleetKeys keys;

    @jakarta.inject.Inject
    public SecretIntake(@ConfigProperty(name = "kshift.secrets.key-file") Optional<String> keyFile) {
        this.keys = FleetKeys.load(keyFile);
        if (!keys.canSeal()) {
            org.jboss.logging.Logger.getLogger(SecretIntake.class).warnf("no fleet key ring (kshift.secrets.key-file"
                    + " %s): Secrets with private keys will be refused", keyFile.orElse("unset"));
        }
    }

    SecretIntake(FleetKeys keys) {
        this.keys = keys;
    }

    /** Resources ready for the bus, or every problem found (nothing is submitted then). */
    public record Intake(List<Resource> resources, List<ValidationMessage> errors) {
    }

    public Intake admit(Operation op, List<Resource> resources) {
        return admit(op, resources, key -> Optional.empty());
    }

    /**
     * As {@link #admit(Operation, List)}, with the live config's resources by key ({@code live}): a Secret live as
     * {@code immutable: true} may not change a private entry. The validator compares seals, which it cannot do
     * across a rotation of the fleet key ring; here the values are opened and compared themselves.
     */
    public Intake admit(Operation op, List<Resource> resources,
                        java.util.function.Function<io.kshift.model.resource.ResourceKey, Optional<Resource>> live) {
        List<Resource> out = new ArrayList<>(resources.size());
        List<ValidationMessage> errors = new ArrayList<>();
        for (Resource r : resources) {
            if (r.type() == Kind.CONFIG_MAP && op != Operation.DELETE) {
                clearText(r, errors);
                out.add(r);
            } else if (r.type() != Kind.SECRET) {
                out.add(r);
            } else if (op == Operation.DELETE) {
                out.add(withData(r, publicOnly(r.specAs(SecretSpec.class))));
            } else {
                sealed(r, errors).ifPresent(s -> {
                    out.add(s);
                    live.apply(r.key()).ifPresent(before -> unchangedWhileImmutable(before, s, errors));
                });
            }
        }
        return new Intake(errors.isEmpty() ? List.copyOf(out) : List.of(), List.copyOf(errors));
    }

    /** A ConfigMap travels and shows in the clear: a private key in it is refused, as in a Secret's public entry. */
    private static void clearText(Resource r, List<ValidationMessage> errors) {
        var map = r.specAs(io.kshift.model.k8s.ConfigMapSpec.class);
        Map<String, String> fields = new TreeMap<>();
        map.data().keySet().forEach(k -> fields.put(k, "data." + k));
        map.binaryData().keySet().forEach(k -> fields.put(k, "binaryData." + k)); // a key is in one of them
        fields.forEach((entry, field) -> {
            if (map.text(entry).orElse("").contains("PRIVATE KEY-----")) {
                errors.add(new ValidationMessage(r.key().toString(), field, "holds a private key, and a ConfigMap is"
                        + " stored and shown in the clear; put the key in a Secret, where it is sealed"));
            }
        });
    }

    private void unchangedWhileImmutable(Resource before, Resource after, List<ValidationMessage> errors) {
        SecretSpec was = before.specAs(SecretSpec.class);
        if (!Boolean.TRUE.equals(was.immutable())) {
            return;
        }
        SecretSpec now = after.specAs(SecretSpec.class);
        for (Map.Entry<String, String> e : now.data().entrySet()) {
            String old = was.data().get(e.getKey());
            if (!SecretSpec.isPrivate(e.getKey()) || old == null || old.equals(e.getValue())) {
                continue; // public entries, added and removed ones are the validator's to judge
            }
            try {
                byte[] a = keys.open(place(before, e.getKey()), old);
                byte[] b = keys.open(place(after, e.getKey()), e.getValue());
                if (!java.util.Arrays.equals(a, b)) {
                    errors.add(new ValidationMessage(after.key().toString(), "data." + e.getKey(), after.key()
                            + " is immutable: its data cannot change; delete it and create it again"));
                }
            } catch (FleetKeys.SealException ex) {
                // Sealed with a key the ring no longer holds: what it was cannot be known, and the new value stands.
            }
        }
    }

    private Optional<Resource> sealed(Resource r, List<ValidationMessage> errors) {
        SecretSpec spec = r.specAs(SecretSpec.class);
        String who = r.key().toString();
        int before = errors.size();
        Map<String, byte[]> plain = new TreeMap<>();
        for (Map.Entry<String, String> e : spec.data().entrySet()) {
            try {
                plain.put(e.getKey(), FleetKeys.isSealed(e.getValue())
                        ? keys.open(place(r, e.getKey()), e.getValue()) : Base64.getMimeDecoder().decode(e.getValue()));
            } catch (FleetKeys.SealException ex) {
                errors.add(new ValidationMessage(who, "data." + e.getKey(), ex.getMessage()));
            }
        }
        for (Map.Entry<String, byte[]> e : plain.entrySet()) {
            if (!SecretSpec.isPrivate(e.getKey()) && new String(e.getValue(), java.nio.charset.StandardCharsets.US_ASCII)
                    .contains("PRIVATE KEY-----")) {
                errors.add(new ValidationMessage(who, "data." + e.getKey(), "holds a private key, and this entry is"
                        + " stored in the clear; put the key in tls.key (or key), where it is sealed"));
            }
        }
        if (SecretSpec.TLS.equals(spec.type())) {
            for (String required : List.of(SecretSpec.TLS_CERT, SecretSpec.TLS_KEY)) {
                if (!spec.data().containsKey(required)) {
                    errors.add(new ValidationMessage(who, "data." + required, "is required in a Secret of type "
                            + SecretSpec.TLS));
                }
            }
        }
        Optional<String> certEntry = spec.certificateEntry();
        Optional<String> keyEntry = spec.keyEntry();
        if (certEntry.isPresent() && keyEntry.isPresent() && plain.containsKey(certEntry.get())
                && plain.containsKey(keyEntry.get())) {
            checkPair(who, certEntry.get(), plain.get(certEntry.get()), keyEntry.get(), plain.get(keyEntry.get()),
                    errors);
        }
        boolean hasPrivate = spec.data().keySet().stream().anyMatch(SecretSpec::isPrivate);
        if (hasPrivate && !keys.canSeal() && errors.size() == before) {
            errors.add(new ValidationMessage(who, "data", "this config-service holds no fleet key "
                    + "(kshift.secrets.key-file), so a Secret's private entries cannot be stored"));
        }
        if (errors.size() > before) {
            return Optional.empty();
        }
        Map<String, String> data = new TreeMap<>();
        spec.data().forEach((k, v) -> data.put(k, SecretSpec.isPrivate(k)
                ? keys.seal(place(r, k), plain.get(k)) : v));
        return Optional.of(withData(r, new SecretSpec(spec.type(), data, spec.immutable())));
    }

    private static void checkPair(String who, String certEntry, byte[] cert, String keyEntry, byte[] key,
                                  List<ValidationMessage> errors) {
        List<X509Certificate> chain;
        try {
            chain = Pem.certificates(cert);
        } catch (Pem.PemException e) {
            errors.add(new ValidationMessage(who, "data." + certEntry, e.getMessage()));
            return;
        }
        try {
            PrivateKey k = Pem.privateKey(key);
            Pem.checkPair(chain.get(0), k);
        } catch (Pem.PemException e) {
            errors.add(new ValidationMessage(who, "data." + keyEntry, e.getMessage()));
        }
    }

    /** Where a sealed value belongs; sealing binds it there. */
    public static String place(Resource r, String entry) {
        return FleetKeys.place(r, entry);
    }

    private static SecretSpec publicOnly(SecretSpec spec) {
        Map<String, String> data = new TreeMap<>();
        spec.data().forEach((k, v) -> {
            if (!SecretSpec.isPrivate(k)) {
                data.put(k, v);
            }
        });
        return new SecretSpec(spec.type(), data, spec.immutable());
    }

    private static Resource withData(Resource r, SecretSpec spec) {
        return new Resource(r.apiVersion(), r.kind(), r.metadata(), spec);
    }
}
