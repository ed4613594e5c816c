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
 *
 * <p>Held per kind ({@link KindSlice}): a change copies only the kinds it touches, and a config made by a change
 * shares every other kind with the one it came from, with the lists {@link #ofKind} and {@link #oldestFirst}
 * already made for them. A one-weight change at 10,000 resources copied the whole map and rebuilt every kind's lists
 * in each proxy and in the validator (~1.3 MB of the 2.3 MB a proxy allocated per change).
 */
public final class MeshConfig {
    private static final Kind[] KINDS = Kind.values();
    private static final MeshConfig EMPTY = new MeshConfig(emptySlices(), 0);
    /** Indexed by {@link Kind#ordinal()}; key order across kinds is ordinal order ({@link ResourceKey#compareTo}). */
    private final KindSlice[] slices;
    private final int size;

    private MeshConfig(KindSlice[] slices, int size) {
        this.slices = slices;
        this.size = size;
    }

    private static KindSlice[] emptySlices() {
        KindSlice[] slices = new KindSlice[KINDS.length];
        java.util.Arrays.fill(slices, KindSlice.EMPTY);
        return slices;
    }

    public static MeshConfig empty() {
        return EMPTY;
    }

    public static MeshConfig of(Collection<Resource> resources) {
        List<List<Map.Entry<ResourceKey, Resource>>> entries = new ArrayList<>(KINDS.length);
        for (int i = 0; i < KINDS.length; i++) {
            entries.add(new ArrayList<>());
        }
        boolean sorted = true;
        Map.Entry<ResourceKey, Resource> last = null;
        for (Resource r : resources) {
            ResourceKey key = r.key();
            sorted = sorted && (last == null || last.getKey().compareTo(key) < 0);
            last = Map.entry(key, r);
            entries.get(key.kind().ordinal()).add(last);
        }
        KindSlice[] slices = emptySlices();
        int size = 0;
        for (int i = 0; i < KINDS.length; i++) {
            List<Map.Entry<ResourceKey, Resource>> ofKind = entries.get(i);
            if (ofKind.isEmpty()) {
                continue;
            }
            TreeMap<ResourceKey, Resource> map = new TreeMap<>();
            if (sorted) {
                // Snapshots list resources in key order: TreeMap builds from a sorted map in linear time, not n log n.
                map.putAll(new SortedEntries(ofKind));
            } else {
                ofKind.forEach(e -> map.put(e.getKey(), e.getValue()));
            }
            slices[i] = new KindSlice(map);
            size += map.size();
        }
        return new MeshConfig(slices, size);
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
                .map(k -> slices[k.ordinal()].map().get(new ResourceKey(k, action.namespace(), action.name())))
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
        Edit next = new Edit();
        List<ResourceAction> actions = new ArrayList<>();
        List<ResourceKey> keys = new ArrayList<>();
        for (Resource submitted : changes) {
            Resource before = next.get(submitted.key());
            Resource r = created(submitted, before != null ? before.metadata().creationTimestamp()
                    : now != null ? now : submitted.metadata().creationTimestamp());
            Action action = before == null ? Action.CREATED
                    : before.equals(r) ? Action.UNCHANGED : Action.CONFIGURED;
            // Unchanged keeps the object readers already hold, as changedKeys assumes (and its kind uncopied).
            if (action != Action.UNCHANGED) {
                next.put(r);
                keys.add(r.key());
            }
            actions.add(ResourceAction.of(r.key(), action));
        }
        return new Changed(next.config(), actions, keys);
    }

    /** Removes each named resource, as {@code kubectl delete -f} does; a missing one is reported, not an error. */
    public Changed delete(List<Resource> changes) {
        Edit next = new Edit();
        List<ResourceAction> actions = new ArrayList<>();
        List<ResourceKey> keys = new ArrayList<>();
        for (Resource r : changes) {
            Action action = next.remove(r.key()) ? Action.DELETED : Action.NOT_FOUND;
            if (action == Action.DELETED) {
                keys.add(r.key());
            }
            actions.add(ResourceAction.of(r.key(), action));
        }
        return new Changed(next.config(), actions, keys);
    }

    /** A change being made on this config: a kind's map is copied on its first write; the others stay shared. */
    private final class Edit {
        private final TreeMap<ResourceKey, Resource>[] copies = newCopies();
        private int size = MeshConfig.this.size;

        @SuppressWarnings("unchecked")
        private static TreeMap<ResourceKey, Resource>[] newCopies() {
            return new TreeMap[KINDS.length];
        }

        Resource get(ResourceKey key) {
            int k = key.kind().ordinal();
            return (copies[k] != null ? copies[k] : slices[k].map()).get(key);
        }

        void put(Resource r) {
            if (written(r.key().kind().ordinal()).put(r.key(), r) == null) {
                size++;
            }
        }

        boolean remove(ResourceKey key) {
            if (get(key) == null) {
                return false;
            }
            written(key.kind().ordinal()).remove(key);
            size--;
            return true;
        }

        private TreeMap<ResourceKey, Resource> written(int kind) {
            if (copies[kind] == null) {
                copies[kind] = new TreeMap<>(slices[kind].map());
            }
            return copies[kind];
        }

        MeshConfig config() {
            KindSlice[] next = slices.clone();
            boolean copied = false;
            for (int k = 0; k < KINDS.length; k++) {
                if (copies[k] != null) {
                    next[k] = copies[k].isEmpty() ? KindSlice.EMPTY : new KindSlice(copies[k]);
                    copied = true;
                }
            }
            return copied ? new MeshConfig(next, size) : MeshConfig.this;
        }
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
            Resource current = slices[r.key().kind().ordinal()].map().get(r.key());
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
        for (int k = 0; k < KINDS.length; k++) {
            NavigableMap<ResourceKey, Resource> mine = slices[k].map();
            NavigableMap<ResourceKey, Resource> theirs = next.slices[k].map();
            if (mine == theirs) {
                continue;
            }
            java.util.TreeSet<ResourceKey> keys = new java.util.TreeSet<>(mine.keySet());
            keys.addAll(theirs.keySet());
            for (ResourceKey key : keys) {
                Resource before = mine.get(key);
                Resource after = theirs.get(key);
                if (before == null) {
                    actions.add(ResourceAction.of(key, Action.CREATED));
                } else if (after == null) {
                    actions.add(ResourceAction.of(key, Action.DELETED));
                } else if (!before.equals(after)) {
                    actions.add(ResourceAction.of(key, Action.CONFIGURED));
                }
            }
        }
        return actions;
    }

    /**
     * The keys whose resource differs in {@code next} (added, removed or changed), in key order. A kind the two
     * configs share is skipped whole; unchanged resources are usually the same objects (snapshots are decoded
     * against the previous one), so the rest is mostly identity checks.
     */
    public List<ResourceKey> changedKeys(MeshConfig next) {
        List<ResourceKey> out = new ArrayList<>();
        for (int k = 0; k < KINDS.length; k++) {
            if (slices[k] != next.slices[k]) {
                changedKeys(slices[k].map(), next.slices[k].map(), out);
            }
        }
        return out;
    }

    /** Both maps are sorted by key: one walk over the two, no lookups. */
    private static void changedKeys(NavigableMap<ResourceKey, Resource> mine,
                                    NavigableMap<ResourceKey, Resource> theirs, List<ResourceKey> out) {
        var before = mine.entrySet().iterator();
        var after = theirs.entrySet().iterator();
        Map.Entry<ResourceKey, Resource> b = before.hasNext() ? before.next() : null;
        Map.Entry<ResourceKey, Resource> a = after.hasNext() ? after.next() : null;
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
    }

    /** Every resource, in key order. */
    public List<Resource> all() {
        List<Resource> out = new ArrayList<>(size);
        for (KindSlice slice : slices) {
            out.addAll(slice.map().values());
        }
        return Collections.unmodifiableList(out);
    }

    /** The resources of one kind, in key order; an index, not a scan, so rules may ask for it as often as they like. */
    public List<Resource> ofKind(Kind kind) {
        return slices[kind.ordinal()].inKeyOrder();
    }

    /**
     * The resources of one kind in the order several for one host merge in ({@link Resource#OLDEST_FIRST}): sorted
     * once per kind, however many rules and builders walk them in that order, and kept by the configs a change
     * makes from this one while they leave that kind alone.
     */
    public List<Resource> oldestFirst(Kind kind) {
        return slices[kind.ordinal()].oldestFirst();
    }

    /**
     * What {@code derivation} makes of one kind's resources (in key order), made once per kind and shared by every
     * config that shares that kind with this one, as the configs a change makes do for the kinds it leaves alone.
     * {@code key} names the derivation: the same key must always mean the same function.
     */
    public <T> T derived(Kind kind, Object key, java.util.function.Function<List<Resource>, T> derivation) {
        return slices[kind.ordinal()].derived(key, derivation);
    }

    /**
     * This config with, of each of {@code kinds}, only the resources {@code keep} accepts; itself when it accepts
     * them all. Per kind remembered under {@code key} (see {@link #derived}), so the view of a config a change made
     * shares what that change left alone with the view of the config before it.
     */
    public MeshConfig retain(List<Kind> kinds, Object key, java.util.function.Predicate<Resource> keep) {
        KindSlice[] next = null;
        int removed = 0;
        java.util.Set<Kind> distinct = java.util.EnumSet.noneOf(Kind.class);
        distinct.addAll(kinds);
        for (Kind kind : distinct) {
            KindSlice slice = slices[kind.ordinal()];
            if (slice.size() == 0) {
                continue; // nothing to leave out, and no memo on the one empty slice every config shares
            }
            KindSlice kept = slice.derived(List.of("retain", key), all -> slice.retained(keep));
            if (kept != slice) {
                next = next != null ? next : slices.clone();
                next[kind.ordinal()] = kept;
                removed += slice.size() - kept.size();
            }
        }
        return next == null ? this : new MeshConfig(next, size - removed);
    }

    public Optional<Resource> get(ResourceKey key) {
        return Optional.ofNullable(slices[key.kind().ordinal()].map().get(key));
    }

    public int size() {
        return size;
    }
}
