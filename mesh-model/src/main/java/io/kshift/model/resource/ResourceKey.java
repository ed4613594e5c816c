package io.kshift.model.resource;


/** Identity of a resource: kind, namespace, name. Prints as {@code VirtualService default/tcp-echo}. */
public record ResourceKey(Kind kind, String namespace, String name) implements Comparable<ResourceKey> {

    /** Kind, then namespace, then name (written out: config indexes compare keys millions of times). */
    @Override
    public int compareTo(ResourceKey other) {
        int c = kind.compareTo(other.kind);
        if (c == 0) {
            c = namespace.compareTo(other.namespace);
        }
        return c != 0 ? c : name.compareTo(other.name);
    }

    @Override
    public String toString() {
        return kind.displayName() + " " + namespace + "/" + name;
    }
}
