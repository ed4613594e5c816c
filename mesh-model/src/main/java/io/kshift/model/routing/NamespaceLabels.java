package io.kshift.model.routing;

import io.kshift.model.k8s.NamespaceSpec;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The labels of each namespace, by name: its Namespace object's (none without one), plus
 * {@code kubernetes.io/metadata.name: <name>}, which Kubernetes puts on every namespace. Read once per computation:
 * what Gateway API listeners with {@code from: Selector} select route namespaces by.
 */
public final class NamespaceLabels {
    public static final String NAME_LABEL = "kubernetes.io/metadata.name";

    private NamespaceLabels() {
    }

    public static Function<String, Map<String, String>> of(MeshConfig config) {
        Map<String, Map<String, String>> byName = new HashMap<>();
        for (Resource ns : config.ofKind(Kind.NAMESPACE)) {
            if (ns.spec() instanceof NamespaceSpec) {
                byName.put(ns.name(), ns.metadata().labels());
            }
        }
        return name -> {
            Map<String, String> labels = new HashMap<>(byName.getOrDefault(name, Map.of()));
            labels.put(NAME_LABEL, name);
            return labels;
        };
    }
}
