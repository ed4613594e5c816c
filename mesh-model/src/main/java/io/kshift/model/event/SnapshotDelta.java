package io.kshift.model.event;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.kshift.model.Lists;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import io.kshift.model.resource.ResourceKey;
import io.kshift.model.status.StatusNote;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code kshift.config}, key {@value MeshTopics#DELTA_KEY}: generation {@code generation} as what changed since the
 * whole snapshot of generation {@code base} (the checkpoint, key {@value MeshTopics#MESH_KEY}): every resource
 * created or configured since, with its value now, and every key deleted since (also when it was created again).
 * Being cumulative, it turns any config from {@code base} up to {@code generation} into {@code generation}'s, so a
 * reader that skipped deltas (conflation, compaction keeps only the newest) still lands exactly; {@code resources}
 * is the count the result must have. {@code status} is the validator's notes on the whole config then, as in the
 * snapshot.
 */
@JsonPropertyOrder({"schema", "base", "generation", "changeId", "createdAt", "resources", "status", "upserts",
        "deletes"})
public record SnapshotDelta(String schema, long base, long generation, String changeId, Instant createdAt,
                            int resources, Map<String, List<StatusNote>> status, List<Resource> upserts,
                            List<ResourceKey> deletes) implements CompleteEvent {
    /**
     * A delta bigger than this, or than half the whole snapshot, is written as a new checkpoint instead: decoding
     * the snapshot then costs about the same, and the next deltas start small again.
     */
    public static final int MAX_BYTES = 256 * 1024;

    public SnapshotDelta {
        schema = Schemas.SNAPSHOT_DELTA;
        status = status == null ? Map.of() : Collections.unmodifiableSortedMap(new TreeMap<>(status));
        upserts = Lists.copy(upserts);
        deletes = Lists.copy(deletes);
    }

    @Override
    public List<String> missingFields() {
        List<String> missing = CompleteEvent.generationStamp(generation, createdAt);
        if (base < 0 || base >= generation) {
            missing.add("base");
        }
        if (resources < 0) {
            missing.add("resources");
        }
        if (upserts.stream().anyMatch(r -> r == null || r.metadata() == null || r.spec() == null
                || Kind.lookup(r.apiVersion(), r.kind()).isEmpty())) {
            missing.add("upserts");
        }
        if (deletes.stream().anyMatch(k -> k == null || k.kind() == null || k.namespace() == null || k.name() == null)) {
            missing.add("deletes");
        }
        return missing;
    }

    /** One accepted change as a delta: {@code next} (its snapshot) against {@code before}, the config it replaced. */
    public static SnapshotDelta step(MeshConfig before, MeshConfig after, List<ResourceKey> changedKeys,
                                     MeshSnapshot next) {
        List<Resource> upserts = new ArrayList<>();
        List<ResourceKey> deletes = new ArrayList<>();
        for (ResourceKey key : changedKeys) {
            after.get(key).ifPresentOrElse(upserts::add, () -> {
                if (before.get(key).isPresent()) {
                    deletes.add(key);
                }
            });
        }
        return new SnapshotDelta(null, next.generation() - 1, next.generation(), next.changeId(), next.createdAt(),
                after.size(), next.status(), upserts, deletes);
    }

    /** This delta followed by {@code next} (whose base is this generation): the same base, {@code next}'s config. */
    public SnapshotDelta then(SnapshotDelta next) {
        if (next.base() != generation) {
            throw new IllegalArgumentException("delta to " + next.generation() + " follows " + next.base()
                    + ", not " + generation);
        }
        TreeMap<ResourceKey, Resource> up = new TreeMap<>();
        upserts.forEach(r -> up.put(r.key(), r));
        java.util.TreeSet<ResourceKey> gone = new java.util.TreeSet<>(deletes);
        for (ResourceKey key : next.deletes()) {
            up.remove(key);
            gone.add(key);
        }
        // A key deleted and created again stays in both: applied, it is deleted first and then created as it is
        // now, so a reader that still has the old resource does not keep its creation time (which orders routes).
        for (Resource r : next.upserts()) {
            up.put(r.key(), r);
        }
        return new SnapshotDelta(null, base, next.generation(), next.changeId(), next.createdAt(), next.resources(),
                next.status(), List.copyOf(up.values()), List.copyOf(gone));
    }

    /**
     * The config of {@code generation}, from a config of any generation from {@code base} up to it; empty when the
     * result does not have the resources it should (it was not such a config).
     */
    public Optional<MeshConfig.Changed> applyTo(MeshConfig from) {
        MeshConfig.Changed deleted = from.delete(deletes.stream().map(k -> Resource.of(k.kind(), k.namespace(),
                k.name(), null)).toList());
        MeshConfig.Changed applied = deleted.config().apply(upserts);
        if (applied.config().size() != resources) {
            return Optional.empty();
        }
        List<ResourceKey> changed = new ArrayList<>(deleted.changedKeys());
        changed.addAll(applied.changedKeys());
        return Optional.of(new MeshConfig.Changed(applied.config(), applied.actions(), changed));
    }

    /**
     * This generation's snapshot from {@code from}, a snapshot of a generation from {@code base} up to it; empty when
     * {@code from} is older than the base or the result does not add up.
     */
    public Optional<MeshSnapshot> applyTo(MeshSnapshot from) {
        return from.generation() < base ? Optional.empty()
                : applyTo(MeshConfig.of(from.resources())).map(c -> snapshot(c.config()));
    }

    /** The snapshot of this generation, given its config (from {@link #applyTo}). */
    public MeshSnapshot snapshot(MeshConfig config) {
        return new MeshSnapshot(Schemas.MESH_SNAPSHOT, generation, changeId, createdAt, status, config.all());
    }
}
