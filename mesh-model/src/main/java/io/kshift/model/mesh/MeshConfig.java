package io.kshift.model.mesh;

import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceWriter;
import io.kshift.model.codec.TextDiff;
import io.kshift.model.event.ResourceAction;
import io.kshift.model.event.ResourceAction.Action;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import io.kshift.model.resource.ResourceKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The whole mesh config as an immutable set of resources keyed by kind/namespace/name. Applying or deleting gives
 * a new config and leaves this one untouched, so a validator can try a change on a copy.
 */
public final class MeshConfig {
    private static final MeshConfig EMPTY = new MeshConfig(new TreeMap<>());
    private final NavigableMap<ResourceKey, Resource> resources;
    /** The resources of each kind in key order; made on first use (a config is immutable, so a race only repeats it). */
    private volatile java.util.Map<Kind, List<Resource>> byKind;
    /** The resources of each kind oldest first, made on first use per kind. */
    private final java.util.Map<Kind, List<Resource>> oldestFirst = new java.util.concurrent.ConcurrentHashMap<>();

    private MeshConfig(NavigableMap<ResourceKey, Resource> resources) {
        this.resources = Collections.unmodifiableNavigableMap(resources);
    }

    public static MeshConfig empty() {
        return EMPTY;
    }

    public static MeshConfig of(Collection<Resource> resources) {
        TreeMap<ResourceKey, Resource> map = new TreeMap<>();
        List<Map.Entry<ResourceKey, Resource>> entries = new ArrayList<>(resources.size());
        boolean sorted = true;
        for (Resource r : resources) {
            ResourceKey key = r.key();
            sorted = sorted && (entries.isEmpty() || entries.get(entries.size() - 1).getKey().compareTo(key) < 0);
            entries.add(Map.entry(key, r));
        }
        if (sorted) {
            // Snapshots list resources in key order: TreeMap builds from a sorted map in linear time, not n log n.
            map.putAll(new SortedEntries(entries));
        } else {
            entries.forEach(e -> map.put(e.getKey(), e.getValue()));
        }
        return new MeshConfig(map);
    }

    /**
     * Entries in strictly ascending key order, seen as the sorted map {@link TreeMap#putAll} copies without
     * comparing; only what that copy calls is implemented.
     */
    private static final class SortedEntries extends java.util.AbstractMap<ResourceKey, Resource>
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

    /**
     * The result of a change on a config: the new config, what happened to each named resource, and the keys whose
     * resource is now different (created, configured or deleted), so what depends on few kinds can tell at once
     * whether it must be recomputed.
     */
    public record Changed(MeshConfig config, List<ResourceAction> actions, List<ResourceKey> changedKeys) {

        /** The actions, each CREATED, CONFIGURED or DELETED one with the line diff of its YAML from {@code before}. */
        public List<ResourceAction> actionsWithDiffs(MeshConfig before) {
            return actions.stream().map(a -> switch (a.action()) {
                case CREATED, CONFIGURED, DELETED -> a.withDiff(TextDiff.unified(yaml(before.find(a)),
                        yaml(config.find(a))));
                default -> a;
            }).toList();
        }

        private static String yaml(Optional<Resource> r) {
            return r.map(x -> ResourceWriter.write(x.redacted(), BodyFormat.YAML)).orElse("");
        }
    }

    /** The resource an action names (by kind name; where two kinds share it, the one that exists here). */
    private Optional<Resource> find(ResourceAction action) {
        return Kind.named(action.kind()).stream()
                .map(k -> resources.get(new ResourceKey(k, action.namespace(), action.name())))
                .filter(java.util.Objects::nonNull).findFirst();
    }

    /** Creates or replaces each resource, as {@code kubectl apply} does; a replaced one keeps its creation time. */
    public Changed apply(List<Resource> changes) {
        return apply(changes, null);
    }

    /**
     * Creates or replaces each resource, as {@code kubectl apply} does: a new one is created {@code now} (when
     * given), a replaced one keeps the creation time it has, whatever the change says.
     */
    public Changed apply(List<Resource> changes, java.time.Instant now) {
        TreeMap<ResourceKey, Resource> next = new TreeMap<>(resources);
        List<ResourceAction> actions = new ArrayList<>();
        List<ResourceKey> keys = new ArrayList<>();
        for (Resource submitted : changes) {
            Resource before = next.get(submitted.key());
            Resource r = created(submitted, before != null ? before.metadata().creationTimestamp()
                    : now != null ? now : submitted.metadata().creationTimestamp());
            Resource previous = next.put(r.key(), r);
            Action action = previous == null ? Action.CREATED
                    : previous.equals(r) ? Action.UNCHANGED : Action.CONFIGURED;
            if (action == Action.UNCHANGED) {
                // Keep the object readers already hold: unchanged stays identical, as changedKeys assumes.
                next.put(r.key(), previous);
            } else {
                keys.add(r.key());
            }
            actions.add(ResourceAction.of(r.key(), action));
        }
        return new Changed(new MeshConfig(next), actions, keys);
    }

    /** Removes each named resource, as {@code kubectl delete -f} does; a missing one is reported, not an error. */
    public Changed delete(List<Resource> changes) {
        TreeMap<ResourceKey, Resource> next = new TreeMap<>(resources);
        List<ResourceAction> actions = new ArrayList<>();
        List<ResourceKey> keys = new ArrayList<>();
        for (Resource r : changes) {
            Action action = next.remove(r.key()) == null ? Action.NOT_FOUND : Action.DELETED;
            if (action == Action.DELETED) {
                keys.add(r.key());
            }
            actions.add(ResourceAction.of(r.key(), action));
        }
        return new Changed(new MeshConfig(next), actions, keys);
    }

    /** Makes the config exactly {@code resources}; actions name what is created, changed and deleted. */
    public Changed replaceWith(List<Resource> resources) {
        return replaceWith(resources, null);
    }

    /**
     * Makes the config exactly {@code resources} (a rollback): one that exists keeps its creation time, one that
     * does not keeps the one it carries (it existed then), or is created {@code now}.
     */
    public Changed replaceWith(List<Resource> resources, java.time.Instant now) {
        List<Resource> stamped = new ArrayList<>(resources.size());
        for (Resource r : resources) {
            Resource current = this.resources.get(r.key());
            java.time.Instant at = current != null ? current.metadata().creationTimestamp()
                    : r.metadata().creationTimestamp() != null ? r.metadata().creationTimestamp() : now;
            stamped.add(created(r, at));
        }
        MeshConfig next = of(stamped);
        return new Changed(next, diff(next), changedKeys(next));
    }

    private static Resource created(Resource r, java.time.Instant at) {
        var meta = r.metadata().createdAt(at);
        return meta == r.metadata() ? r : new Resource(r.apiVersion(), r.kind(), meta, r.spec());
    }

    /** What turns this config into {@code next}: CREATED, CONFIGURED and DELETED resources, in key order. */
    public List<ResourceAction> diff(MeshConfig next) {
        List<ResourceAction> actions = new ArrayList<>();
        java.util.TreeSet<ResourceKey> keys = new java.util.TreeSet<>(resources.keySet());
        keys.addAll(next.resources.keySet());
        for (ResourceKey key : keys) {
            Resource before = resources.get(key);
            Resource after = next.resources.get(key);
            if (before == null) {
                actions.add(ResourceAction.of(key, Action.CREATED));
            } else if (after == null) {
                actions.add(ResourceAction.of(key, Action.DELETED));
            } else if (!before.equals(after)) {
                actions.add(ResourceAction.of(key, Action.CONFIGURED));
            }
        }
        return actions;
    }

    /**
     * The keys whose resource differs in {@code next} (added, removed or changed). Unchanged resources are usually
     * the same objects (snapshots are decoded against the previous one), so this is mostly identity checks.
     */
    public List<ResourceKey> changedKeys(MeshConfig next) {
        // Both maps are sorted by key: one walk over the two, no lookups.
        List<ResourceKey> out = new ArrayList<>();
        var before = resources.entrySet().iterator();
        var after = next.resources.entrySet().iterator();
        java.util.Map.Entry<ResourceKey, Resource> b = before.hasNext() ? before.next() : null;
        java.util.Map.Entry<ResourceKey, Resource> a = after.hasNext() ? after.next() : null;
        while (b != null || a != null) {
            int c = b == null ? 1 : a == null ? -1 : b.getKey().compareTo(a.getKey());
            if (c < 0) {
                out.add(b.getKey());
                b = before.hasNext() ? before.next() : null;
            } else if (c > 0) {
                out.add(a.getKey());
                a = after.hasNext() ? after.next() : null;
            } else {
                if (b.getValue() != a.getValue() && !b.getValue().equals(a.getValue())) {
                    out.add(a.getKey());
                }
                b = before.hasNext() ? before.next() : null;
                a = after.hasNext() ? after.next() : null;
            }
        }
        return out;
    }

    public List<Resource> all() {
        return List.copyOf(resources.values());
    }

    /** The resources of one kind, in key order; an index, not a scan, so rules may ask for it as often as they like. */
    public List<Resource> ofKind(Kind kind) {
        java.util.Map<Kind, List<Resource>> index = byKind;
        if (index == null) {
            java.util.EnumMap<Kind, List<Resource>> built = new java.util.EnumMap<>(Kind.class);
            for (Kind k : Kind.values()) {
                built.put(k, new ArrayList<>());
            }
            resources.forEach((key, r) -> built.get(key.kind()).add(r));
            built.replaceAll((k, list) -> List.copyOf(list));
            index = byKind = built;
        }
        return index.get(kind);
    }

    /**
     * The resources of one kind in the order several for one host merge in ({@link Resource#OLDEST_FIRST}): sorted
     * once per config, however many rules and builders walk them in that order.
     */
    public List<Resource> oldestFirst(Kind kind) {
        return oldestFirst.computeIfAbsent(kind, k -> {
            List<Resource> sorted = new ArrayList<>(ofKind(k));
            sorted.sort(Resource.OLDEST_FIRST);
            return List.copyOf(sorted);
        });
    }

    public Optional<Resource> get(ResourceKey key) {
        return Optional.ofNullable(resources.get(key));
    }

    public int size() {
        return resources.size();
    }
}
