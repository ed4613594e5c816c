package io.kshift.validator.rules;

import io.kshift.model.event.Operation;
import io.kshift.model.k8s.ConfigMapSpec;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import io.kshift.model.resource.ResourceKey;
import io.kshift.model.secret.FleetKeys;
import io.kshift.model.secret.SecretSpec;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Kubernetes' {@code immutable: true} on a Secret or a ConfigMap: once set, its data and the flag itself stay as
 * they are (the API server answers "field is immutable when `immutable` is set"); it may only be deleted and made
 * again. A Secret's {@code type} never changes, flag or not. Data is compared as bytes (base64 wrapped otherwise is
 * the same data). A Secret's private entries are sealed: two seals with the same key are equal exactly when the
 * values are, but a value sealed anew after the fleet key ring rotated cannot be told apart here (this service
 * holds no key), so such an entry is let through: config-service, which opens them, refuses a changed one.
 * A rollback ({@link Operation#REPLACE}) is judged as what it is to Kubernetes, deletes and creates, so these rules
 * do not hold it back.
 */
final class ImmutableRules {
    private ImmutableRules() {
    }

    static void check(Operation op, MeshConfig live, MeshConfig next, Collection<ResourceKey> changed,
                      Findings findings) {
        if (op == Operation.REPLACE) {
            return;
        }
        for (ResourceKey key : changed) {
            if (key.kind() != Kind.SECRET && key.kind() != Kind.CONFIG_MAP) {
                continue;
            }
            Optional<Resource> before = live.get(key);
            Optional<Resource> after = next.get(key);
            if (before.isEmpty() || after.isEmpty()) {
                continue;
            }
            String what = key.kind().kindName() + " " + key.namespace() + "/" + key.name();
            if (key.kind() == Kind.SECRET && !before.get().specAs(SecretSpec.class).type()
                    .equals(after.get().specAs(SecretSpec.class).type())) {
                findings.error(key, "type", what + " is of type " + before.get().specAs(SecretSpec.class).type()
                        + ", which cannot change; delete it and create it again");
            }
            if (!immutable(before.get())) {
                continue;
            }
            if (!immutable(after.get())) {
                findings.error(key, "immutable", what + " is immutable: the flag cannot be unset; delete it and"
                        + " create it again");
            }
            boolean same = key.kind() == Kind.SECRET
                    ? sameSecretData(before.get().specAs(SecretSpec.class).data(),
                            after.get().specAs(SecretSpec.class).data())
                    : sameBytes(before.get().specAs(ConfigMapSpec.class), after.get().specAs(ConfigMapSpec.class));
            if (!same) {
                findings.error(key, "data", what + " is immutable: its data cannot change; delete it and create it"
                        + " again");
            }
        }
    }

    private static boolean sameSecretData(Map<String, String> a, Map<String, String> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<String, String> e : a.entrySet()) {
            String x = e.getValue();
            String y = b.get(e.getKey());
            if (FleetKeys.isSealed(x) || FleetKeys.isSealed(y)) {
                if (FleetKeys.keyId(x).equals(FleetKeys.keyId(y)) && !x.equals(y)) {
                    return false; // sealed with one key: equal seals exactly for equal values
                }
            } else if (!java.util.Arrays.equals(decode(x), decode(y))) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameBytes(ConfigMapSpec a, ConfigMapSpec b) {
        if (!a.data().equals(b.data()) || !a.binaryData().keySet().equals(b.binaryData().keySet())) {
            return false;
        }
        return a.binaryData().entrySet().stream().allMatch(e -> java.util.Arrays.equals(decode(e.getValue()),
                decode(b.binaryData().get(e.getKey()))));
    }

    private static byte[] decode(String base64) {
        try {
            return Base64.getMimeDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            return base64.getBytes(java.nio.charset.StandardCharsets.UTF_8); // the reader admits base64 only
        }
    }

    private static boolean immutable(Resource r) {
        Boolean flag = r.spec() instanceof SecretSpec s ? s.immutable()
                : r.spec() instanceof ConfigMapSpec m ? m.immutable() : null;
        return Objects.equals(flag, Boolean.TRUE);
    }
}
