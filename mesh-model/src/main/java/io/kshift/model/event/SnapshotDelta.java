package io.kshift.model.event;

import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.Resource;
import io.kshift.model.resource.ResourceKey;
import java.util.ArrayList;
import java.util.List;

/**
 * What one accepted generation changed against the generation before it ({@code base}): the resources it created
 * or configured, and the keys it deleted; {@code resources} is the count the result must have. The validator
 * writes it as header {@value #HEADER} of a {@code kshift.config} record when it is small, so a reader that runs
 * {@code base} applies a one-resource change in microseconds instead of decoding a snapshot of megabytes. The
 * record's value stays the whole snapshot: a reader on another generation, or one that cannot read the header,
 * decodes that, and compaction keeps the topic a snapshot log.
 */
public record SnapshotDelta(long base, long generation, int resources, List<Resource> upserts,
                            List<ResourceKey> deletes) implements CompleteEvent {
    public static final String HEADER = "kshift-delta";
    /** A bigger delta (a bulk load) is left out: decoding the snapshot costs about the same then. */
    public static final int MAX_BYTES = 256 * 1024;

    public SnapshotDelta {
        upserts = io.kshift.model.Lists.copy(upserts);
        deletes = io.kshift.model.Lists.copy(deletes);
    }

    @Override
    public List<String> missingFields() {
        List<String> missing = new ArrayList<>();
        if (base < 0) {
            missing.add("base");
        }
        if (generation != base + 1) {
            missing.add("generation");
        }
        if (resources < 0) {
            missing.add("resources");
        }
        if (upserts.stream().anyMatch(r -> r == null || r.metadata() == null || r.spec() == null
                || io.kshift.model.resource.Kind.lookup(r.apiVersion(), r.kind()).isEmpty())) {
            missing.add("upserts");
        }
        if (deletes.stream().anyMatch(k -> k == null || k.kind() == null || k.namespace() == null || k.name() == null)) {
            missing.add("deletes");
        }
        return missing;
    }

    /** The delta from {@code before} to {@code after}, the configs of generations {@code base} and base + 1. */
    public static SnapshotDelta between(long base, MeshConfig before, MeshConfig after, List<ResourceKey> changedKeys) {
        List<Resource> upserts = new ArrayList<>();
        List<ResourceKey> deletes = new ArrayList<>();
        for (ResourceKey key : changedKeys) {
            after.get(key).ifPresentOrElse(upserts::add, () -> {
                if (before.get(key).isPresent()) {
                    deletes.add(key);
                }
            });
        }
        return new SnapshotDelta(base, base + 1, after.size(), upserts, deletes);
    }

    /**
     * The config of {@code generation}, from {@code base}'s config; empty when the result does not have the
     * resources it should (then the reader decodes the snapshot instead).
     */
    public java.util.Optional<MeshConfig.Changed> applyTo(MeshConfig baseConfig) {
        MeshConfig.Changed deleted = baseConfig.delete(deletes.stream().map(k -> Resource.of(k.kind(), k.namespace(),
                k.name(), null)).toList());
        MeshConfig.Changed applied = deleted.config().apply(upserts);
        if (applied.config().size() != resources) {
            return java.util.Optional.empty();
        }
        List<ResourceKey> changed = new ArrayList<>(deleted.changedKeys());
        changed.addAll(applied.changedKeys());
        return java.util.Optional.of(new MeshConfig.Changed(applied.config(), applied.actions(), changed));
    }
}
