package io.kshift.model.resource;

import io.kshift.model.constraint.LabelMap;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import java.util.Map;
import java.util.TreeMap;

/**
 * Kubernetes object metadata: the parts kshift keeps. Namespace defaults to {@code default}. {@code creationTimestamp}
 * is set by the validator when the resource is first accepted (as the API server sets it; a submitted value is
 * replaced) and kept by every later change: the age Istio merges VirtualServices by and the Gateway API breaks
 * route precedence ties with.
 */
public record ObjectMeta(
        @NotBlank @Pattern(regexp = ObjectMeta.DNS_LABEL, message = "must be a lowercase RFC 1123 name") String name,
        @Pattern(regexp = ObjectMeta.DNS_LABEL, message = "must be a lowercase RFC 1123 label") String namespace,
        @LabelMap Map<String, String> labels,
        Map<String, String> annotations,
        java.time.Instant creationTimestamp) {

    public static final String DEFAULT_NAMESPACE = "default";
    static final String DNS_LABEL = "[a-z0-9]([-a-z0-9.]*[a-z0-9])?";

    public ObjectMeta {
        namespace = namespace == null || namespace.isBlank() ? DEFAULT_NAMESPACE : namespace;
        labels = labels == null ? Map.of() : Map.copyOf(new TreeMap<>(labels));
        annotations = annotations == null ? Map.of() : Map.copyOf(new TreeMap<>(annotations));
    }

    public ObjectMeta(String name, String namespace, Map<String, String> labels, Map<String, String> annotations) {
        this(name, namespace, labels, annotations, null);
    }

    public static ObjectMeta of(String namespace, String name) {
        return new ObjectMeta(name, namespace, null, null);
    }

    /**
     * This metadata created at {@code at}, to the millisecond (Kubernetes keeps seconds; finer keeps two changes
     * a moment apart in the order they were made, which is what users reading "oldest first" expect).
     */
    public ObjectMeta createdAt(java.time.Instant at) {
        java.time.Instant millis = at == null ? null : at.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        return java.util.Objects.equals(millis, creationTimestamp) ? this
                : new ObjectMeta(name, namespace, labels, annotations, millis);
    }
}
