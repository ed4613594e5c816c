package io.kshift.model.resource;

import io.kshift.model.constraint.LabelMap;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import java.util.Map;
import java.util.TreeMap;

/** Kubernetes object metadata: the parts kshift keeps. Namespace defaults to {@code default}. */
public record ObjectMeta(
        @NotBlank @Pattern(regexp = ObjectMeta.DNS_LABEL, message = "must be a lowercase RFC 1123 name") String name,
        @Pattern(regexp = ObjectMeta.DNS_LABEL, message = "must be a lowercase RFC 1123 label") String namespace,
        @LabelMap Map<String, String> labels,
        Map<String, String> annotations) {

    public static final String DEFAULT_NAMESPACE = "default";
    static final String DNS_LABEL = "[a-z0-9]([-a-z0-9.]*[a-z0-9])?";

    public ObjectMeta {
        namespace = namespace == null || namespace.isBlank() ? DEFAULT_NAMESPACE : namespace;
        labels = labels == null ? Map.of() : Map.copyOf(new TreeMap<>(labels));
        annotations = annotations == null ? Map.of() : Map.copyOf(new TreeMap<>(annotations));
    }

    public static ObjectMeta of(String namespace, String name) {
        return new ObjectMeta(name, namespace, null, null);
    }
}
