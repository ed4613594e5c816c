package io.kshift.model.mesh;

import io.kshift.model.resource.Resource;
import io.kshift.model.resource.ResourceKey;
import java.util.List;
import java.util.Map;

/**
 * Entries in strictly ascending key order, seen as the sorted map {@link java.util.TreeMap#putAll} copies without
 * comparing; only what that copy calls is implemented.
 */
final class SortedEntries extends java.util.AbstractMap<ResourceKey, Resource>
        implements java.util.SortedMap<ResourceKey, Resource> {
    private final List<Map.Entry<ResourceKey, Resource>> entries;

    SortedEntries(List<Map.Entry<ResourceKey, Resource>> entries) {
        this.entries = entries;
    }

    @Override
    public java.util.Set<Entry<ResourceKey, Resource>> entrySet() {
        return new java.util.AbstractSet<>() {
            @Override
            public java.util.Iterator<Entry<ResourceKey, Resource>> iterator() {
                return entries.iterator();
            }

            @Override
            public int size() {
                return entries.size();
            }
        };
    }

    @Override
    public java.util.Comparator<? super ResourceKey> comparator() {
        return null;
    }

    @Override
    public java.util.SortedMap<ResourceKey, Resource> subMap(ResourceKey from, ResourceKey to) {
        throw new UnsupportedOperationException();
    }

    @Override
    public java.util.SortedMap<ResourceKey, Resource> headMap(ResourceKey to) {
        throw new UnsupportedOperationException();
    }

    @Override
    public java.util.SortedMap<ResourceKey, Resource> tailMap(ResourceKey from) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ResourceKey firstKey() {
        throw new UnsupportedOperationException();
    }

    @Override
    public ResourceKey lastKey() {
        throw new UnsupportedOperationException();
    }
}
