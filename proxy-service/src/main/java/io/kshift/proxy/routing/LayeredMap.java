package io.kshift.proxy.routing;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A map read as a base map with a few entries put or removed on top: a build that changes a few of thousands of
 * entries (a patched mesh table's names, hosts, destination state and pickers) pays for its changes, not for a copy
 * of the base, which it never writes. Layered on a layered map it takes that one's base and copies its changes, so
 * a lookup is never more than two; once the changes pass {@link #MAX_CHANGES} {@link #readOnly} makes a plain map
 * again. Written only by the build that makes it, then sealed ({@link #readOnly}) before the table that holds it
 * is published; null values are not held.
 */
public final class LayeredMap<K, V> extends AbstractMap<K, V> {
    /** Changes over the base past which a sealed map is copied into a plain one. */
    static final int MAX_CHANGES = 512;

    private final Map<K, V> base;
    private final Map<K, V> put;
    /** Keys of the base taken out (never also in {@code put}). */
    private final Set<Object> removed;
    private boolean sealed;

    private LayeredMap(Map<K, V> base, Map<K, V> put, Set<Object> removed) {
        this.base = base;
        this.put = put;
        this.removed = removed;
    }

    /** A writable map that reads as {@code map} until written; {@code map} itself is never written. */
    public static <K, V> LayeredMap<K, V> over(Map<K, V> map) {
        if (map instanceof LayeredMap<K, V> layered) {
            return new LayeredMap<>(layered.base, new HashMap<>(layered.put), new HashSet<>(layered.removed));
        }
        return new LayeredMap<>(map, new HashMap<>(), new HashSet<>());
    }

    /**
     * {@code map} as it will be read from now on: a layered map sealed (or copied into a plain one when its changes
     * have grown), any other map behind a read-only view.
     */
    public static <K, V> Map<K, V> readOnly(Map<K, V> map) {
        if (!(map instanceof LayeredMap<K, V> layered)) {
            return Collections.unmodifiableMap(map);
        }
        if (layered.put.size() + layered.removed.size() > MAX_CHANGES) {
            return Collections.unmodifiableMap(new HashMap<>(layered));
        }
        layered.sealed = true;
        return layered;
    }

    @Override
    public V get(Object key) {
        V value = put.get(key);
        if (value != null || removed.contains(key)) {
            return value;
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
        removed.remove(key);
        put.put(key, java.util.Objects.requireNonNull(value));
        return before;
    }

    @Override
    public V remove(Object key) {
        writable();
        V before = get(key);
        put.remove(key);
        if (base.containsKey(key)) {
            removed.add(key);
        }
        return before;
    }

    @Override
    public int size() {
        int size = base.size() - removed.size();
        for (K key : put.keySet()) {
            if (!base.containsKey(key)) {
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
        private final Iterator<Entry<K, V>> fromPut = put.entrySet().iterator();
        private Entry<K, V> next = advance();

        private Entry<K, V> advance() {
            while (fromBase.hasNext()) {
                Entry<K, V> e = fromBase.next();
                if (!removed.contains(e.getKey()) && !put.containsKey(e.getKey())) {
                    return Map.entry(e.getKey(), e.getValue());
                }
            }
            if (fromPut.hasNext()) {
                Entry<K, V> e = fromPut.next();
                return Map.entry(e.getKey(), e.getValue());
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
