package io.kshift.validator.rules;

import io.kshift.model.k8s.ConfigMapSpec;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import io.kshift.model.resource.ResourceKey;
import io.kshift.model.secret.SecretSpec;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;

/**
 * Kubernetes' {@code immutable: true} on a Secret or a ConfigMap: once set, its data and the flag itself stay as
 * they are (the API server answers "field is immutable when `immutable` is set"); it may only be deleted and made
 * again. Applying the same object again is not a change (a Secret's keys seal to the same values). A Secret's
 * {@code type} never changes, flag or not, as in Kubernetes.
 */
final class ImmutableRules {
    private ImmutableRules() {
    }

    static void check(MeshConfig live, MeshConfig next, Collection<ResourceKey> changed, Findings findings) {
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
            if (key.kind() == Kind.SECRET) {
                SecretSpec a = before.get().specAs(SecretSpec.class);
                SecretSpec b = after.get().specAs(SecretSpec.class);
                if (!a.data().equals(b.data())) {
                    findings.error(key, "data", what + " is immutable: its data cannot change; delete it and"
                            + " create it again");
                }
            } else {
                ConfigMapSpec a = before.get().specAs(ConfigMapSpec.class);
                ConfigMapSpec b = after.get().specAs(ConfigMapSpec.class);
                if (!a.data().equals(b.data()) || !a.binaryData().equals(b.binaryData())) {
                    findings.error(key, "data", what + " is immutable: its data cannot change; delete it and"
                            + " create it again");
                }
            }
        }
    }

    private static boolean immutable(Resource r) {
        Boolean flag = r.spec() instanceof SecretSpec s ? s.immutable()
                : r.spec() instanceof ConfigMapSpec m ? m.immutable() : null;
        return Objects.equals(flag, Boolean.TRUE);
    }
}
