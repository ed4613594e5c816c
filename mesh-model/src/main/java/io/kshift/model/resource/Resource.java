package io.kshift.model.resource;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.kshift.model.codec.ResourceJsonDeserializer;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

/**
 * One Kubernetes-shaped object ({@code apiVersion}, {@code kind}, {@code metadata}, {@code spec}) with its spec
 * typed by kind. Immutable; read through {@link io.kshift.model.codec.ResourceReader} so unknown fields are errors.
 */
@JsonPropertyOrder({"apiVersion", "kind", "metadata", "spec"})
@JsonDeserialize(using = ResourceJsonDeserializer.class)
@com.fasterxml.jackson.databind.annotation.JsonSerialize(using = io.kshift.model.codec.ResourceJsonSerializer.class)
public record Resource(String apiVersion, String kind, @NotNull @Valid ObjectMeta metadata, @NotNull @Valid ResourceSpec spec) {

    @JsonIgnore
    public Kind type() {
        Kind type = Kind.find(apiVersion, kind);
        if (type == null) {
            throw new java.util.NoSuchElementException("not a kind kshift accepts: " + apiVersion + " " + kind);
        }
        return type;
    }

    @JsonIgnore
    public ResourceKey key() {
        return new ResourceKey(type(), metadata.namespace(), metadata.name());
    }

    @JsonIgnore
    public String namespace() {
        return metadata.namespace();
    }

    @JsonIgnore
    public String name() {
        return metadata.name();
    }

    @SuppressWarnings("unchecked")
    public <S extends ResourceSpec> S specAs(Class<S> type) {
        return (S) spec;
    }

    /** This resource as it may be shown (GET answers, diffs, logs): a Secret's private entries redacted. */
    public Resource redacted() {
        return spec instanceof io.kshift.model.secret.SecretSpec secret
                ? new Resource(apiVersion, kind, metadata, secret.redacted()) : this;
    }

    /** Whether {@code other} says the same as this, whatever either's creation time (the server's, not the writer's). */
    public boolean sameAs(Resource other) {
        return other != null && (equals(other) || new Resource(other.apiVersion, other.kind,
                other.metadata.createdAt(metadata.creationTimestamp()), other.spec).equals(this));
    }

    /**
     * Oldest first (creation time; one without, from before kshift kept it, counts as oldest), then by
     * {@code namespace/name}: the order Istio merges VirtualServices in and the Gateway API breaks ties by.
     */
    public static final java.util.Comparator<Resource> OLDEST_FIRST = java.util.Comparator
            .comparing((Resource r) -> r.metadata().creationTimestamp(),
                    java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()))
            .thenComparing(Resource::compareQualifiedNames);

    /**
     * {@code namespace/name} of each compared as those strings would be, without making them: a bulk change gives
     * hundreds of resources one creation time, and sorting thousands of routes by joined names on every change
     * cost a proxy and the validator a string per comparison.
     */
    static int compareQualifiedNames(Resource a, Resource b) {
        String an = String.valueOf(a.namespace());
        String bn = String.valueOf(b.namespace());
        String aName = String.valueOf(a.name());
        String bName = String.valueOf(b.name());
        if (an.equals(bn)) {
            return aName.compareTo(bName);
        }
        int length = Math.min(an.length() + 1 + aName.length(), bn.length() + 1 + bName.length());
        for (int i = 0; i < length; i++) {
            char x = joinedCharAt(an, aName, i);
            char y = joinedCharAt(bn, bName, i);
            if (x != y) {
                return x - y;
            }
        }
        return (an.length() + aName.length()) - (bn.length() + bName.length());
    }

    private static char joinedCharAt(String namespace, String name, int i) {
        return i < namespace.length() ? namespace.charAt(i) : i == namespace.length() ? '/'
                : name.charAt(i - namespace.length() - 1);
    }

    public static Resource of(Kind kind, String namespace, String name, ResourceSpec spec) {
        return new Resource(kind.preferredApiVersion(), kind.kindName(), ObjectMeta.of(namespace, name), spec);
    }
}
