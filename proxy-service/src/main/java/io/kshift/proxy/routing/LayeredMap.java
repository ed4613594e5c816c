package io.kshift.proxy.routing;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A map read as a base map with a few entries put or removed on top: a build that changes a few of thousands of
 * entries (a patched mesh table's names, hosts, destination state and pickers) pays for its changes, not for a copy
 * of the base, which it never writes. A removal is a marker among the changes, so a lookup is at most two (the
 * changes, then the base: the mesh port reads its names per request); layered on a layered map it takes that one's
 * base and copies its changes. Once the changes pass {@link #MAX_CHANGES} {@link #readOnly} makes a plain map
 * again. Written only by the build that makes it, then sealed ({@link #readOnly}) before the table that holds it
 * is published; null values are not held.
 */
public final class LayeredMap<K, V> extends AbstractMap<K, V> {
    /** Changes over the base past which a sealed map is copied into a plain one. */
    static final int MAX_CHANGES = 512;

    /** What a removed key of the base maps to among the changes. */
    private static final Object REMOVED = new Object();

    private final Map<K, V> base;
    /** The keys put (to their values) or removed from the base (to {@link #REMOVED}). */
    private final Map<Object, Object> changes;
    private boolean sealed;

    private LayeredMap(Map<K, V> base, Map<Object, Object> changes) {
        this.base = base;
        this.changes = changes;
    }

    /** A writable map that reads as {@code map} until written; {@code map} itself is never written. */
    public static <K, V> LayeredMap<K, V> over(Map<K, V> map) {
        if (map instanceof LayeredMap<K, V> layered) {
            return new LayeredMap<>(layered.base, new HashMap<>(layered.changes));
        }
        return new LayeredMap<>(map, new HashMap<>());
    }

    /**
     * {@code map} as it will be read from now on: a layered map sealed (or copied into a plain one when its changes
     * have grown), any other map behind a read-only view.
     */
    public static <K, V> Map<K, V> readOnly(Map<K, V> map) {
        if (!(map instanceof LayeredMap<K, V> layered)) {
            return Collections.unmodifiableMap(map);
        }
        if (layered.changes.size() > MAX_CHANGES) {
            return Collections.unmodifiableMap(new HashMap<>(layered));
        }
        layered.sealed = true;
        return layered;
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get(Object key) {
        Object changed = changes.get(key);
        if (changed != null) {
            return changed == REMOVED ? null : (V) changed;
        }
        return base.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    @Override
    public V put(K key, V value) {
        writable();
        V before = get(key);
        if (base.get(key) == java.util.Objects.requireNonNull(value)) {
            changes.remove(key); // the base's own entry: no change to keep (a build puts back much it carries)
        } else {
            changes.put(key, value);
        }
        return before;
    }

    @Override
    public V remove(Object key) {
        writable();
        V before = get(key);
        if (base.containsKey(key)) {
            changes.put(key, REMOVED);
        } else {
            changes.remove(key);
        }
        return before;
    }

    @Override
    public int size() {
        int size = base.size();
        for (Map.Entry<Object, Object> change : changes.entrySet()) {
            boolean inBase = base.containsKey(change.getKey());
            if (change.getValue() == REMOVED) {
                size--;
            } else if (!inBase) {
                size++;
            }
        }
        return size;
    }

    @Override
    public Set<Entry<K, V>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<K, V>> iterator() {
                return new Entries();
            }

            @Override
            public int size() {
                return LayeredMap.this.size();
            }
        };
    }

    private void writable() {
        if (sealed) {
            throw new UnsupportedOperationException("a sealed map");
        }
    }

    /** The base's entries not removed or put over, then the entries put, read-only. */
    private final class Entries implements Iterator<Entry<K, V>> {
        private final Iterator<Entry<K, V>> fromBase = base.entrySet().iterator();
        private final Iterator<Entry<Object, Object>> fromChanges = changes.entrySet().iterator();
        private Entry<K, V> next = advance();

        @SuppressWarnings("unchecked")
        private Entry<K, V> advance() {
            while (fromBase.hasNext()) {
                Entry<K, V> e = fromBase.next();
                if (!changes.containsKey(e.getKey())) {
                    return Map.entry(e.getKey(), e.getValue());
                }
            }
            while (fromChanges.hasNext()) {
                Entry<Object, Object> e = fromChanges.next();
                if (e.getValue() != REMOVED) {
                    return Map.entry((K) e.getKey(), (V) e.getValue());
                }
            }
            return null;
        }

        @Override
        public boolean hasNext() {
            return next != null;
        }

        @Override
        public Entry<K, V> next() {
            if (next == null) {
                throw new NoSuchElementException();
            }
            Entry<K, V> out = next;
            next = advance();
            return out;
        }
    }
}
