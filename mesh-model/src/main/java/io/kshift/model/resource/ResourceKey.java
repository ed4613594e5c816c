package io.kshift.model.resource;

import java.util.Comparator;

/** Identity of a resource: kind, namespace, name. Prints as {@code VirtualService default/tcp-echo}. */
public record ResourceKey(Kind kind, String namespace, String name) implements Comparable<ResourceKey> {

    private static final Comparator<ResourceKey> ORDER = Comparator.comparing(ResourceKey::kind)
            .thenComparing(ResourceKey::namespace).thenComparing(ResourceKey::name);

    @Override
    public int compareTo(ResourceKey other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return kind.displayName() + " " + namespace + "/" + name;
    }
}
