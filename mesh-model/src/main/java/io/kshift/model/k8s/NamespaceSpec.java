package io.kshift.model.k8s;

import io.kshift.model.Lists;
import io.kshift.model.resource.ResourceSpec;
import java.util.List;

/**
 * Core {@code v1 Namespace}: kshift keeps it for its labels, which Gateway API listeners select route namespaces by
 * ({@code allowedRoutes.namespaces.from: Selector}). Cluster-scoped; {@code spec} (finalizers) is optional and has
 * no effect here.
 */
public record NamespaceSpec(List<String> finalizers) implements ResourceSpec {
    public NamespaceSpec {
        finalizers = Lists.copy(finalizers);
    }
}
