package io.kshift.model.mesh;

import io.kshift.model.resource.Resource;
import io.kshift.model.resource.ResourceKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The resources of one kind in a {@link MeshConfig}, with the lists readers walk made on first use. Configs that a
 * change made from one another share the slice of every kind the change left alone, and so its lists too. Immutable
 * once made; two threads making a list at once only repeat the work.
 */
final class KindSlice {
    static final KindSlice EMPTY = new KindSlice(new TreeMap<>());

    private final NavigableMap<ResourceKey, Resource> map;
    private volatile List<Resource> inKeyOrder;
    private volatile List<Resource> oldestFirst;
    /** What readers derived from this kind alone ({@link MeshConfig#derived}), by their key. */
    private final java.util.Map<Object, Object> derived = new java.util.concurrent.ConcurrentHashMap<>();

    /** Takes {@code map} over: nobody writes it afterwards. */
    KindSlice(TreeMap<ResourceKey, Resource> map) {
        this.map = Collections.unmodifiableNavigableMap(map);
    }

    NavigableMap<ResourceKey, Resource> map() {
        return map;
    }

    List<Resource> inKeyOrder() {
        List<Resource> list = inKeyOrder;
        if (list == null) {
            list = inKeyOrder = List.copyOf(map.values());
        }
        return list;
    }

    List<Resource> oldestFirst() {
        List<Resource> list = oldestFirst;
        if (list == null) {
            List<Resource> sorted = new ArrayList<>(inKeyOrder());
            sorted.sort(Resource.OLDEST_FIRST);
            list = oldestFirst = List.copyOf(sorted);
        }
        return list;
    }

    @SuppressWarnings("unchecked")
    <T> T derived(Object key, java.util.function.Function<List<Resource>, T> derivation) {
        Object value = derived.get(key);
        if (value == null) {
            // Not computeIfAbsent: a derivation may ask this slice for another one.
            value = derivation.apply(inKeyOrder());
            Object raced = derived.putIfAbsent(key, value);
            value = raced != null ? raced : value;
        }
        return (T) value;
    }

    /** This slice with only what {@code keep} accepts; itself when it accepts everything. */
    KindSlice retained(java.util.function.Predicate<Resource> keep) {
        TreeMap<ResourceKey, Resource> kept = null;
        for (var e : map.entrySet()) {
            if (!keep.test(e.getValue())) {
                if (kept == null) {
                    kept = new TreeMap<>(map);
                }
                kept.remove(e.getKey());
            }
        }
        return kept == null ? this : kept.isEmpty() ? EMPTY : new KindSlice(kept);
    }

    int size() {
        return map.size();
    }
}
