package io.kshift.model.event;

import io.kshift.model.Lists;
import io.kshift.model.resource.Resource;
import java.time.Instant;
import java.util.List;

/**
 * {@code kshift.config} (compacted), key {@code mesh}: the whole accepted mesh config at one generation, with the
 * validator's status notes on it: by resource ({@code "Kind namespace/name"}, as {@link
 * io.kshift.model.resource.ResourceKey} prints), the conditions found not to hold (none: all hold). Resources come
 * last in the JSON, where {@link SnapshotEncoder} splices them in.
 */
@com.fasterxml.jackson.annotation.JsonPropertyOrder({"schema", "generation", "changeId", "createdAt", "status",
        "resources"})
public record MeshSnapshot(String schema, long generation, String changeId, Instant createdAt,
                           java.util.Map<String, List<io.kshift.model.status.StatusNote>> status,
                           List<Resource> resources) implements CompleteEvent {
    public MeshSnapshot {
        schema = Schemas.MESH_SNAPSHOT;
        java.util.TreeMap<String, List<io.kshift.model.status.StatusNote>> sorted = new java.util.TreeMap<>();
        if (status != null) {
            status.forEach((k, notes) -> sorted.put(k, List.copyOf(notes)));
        }
        status = java.util.Collections.unmodifiableSortedMap(sorted);
        resources = Lists.copy(resources);
    }

    public MeshSnapshot(String schema, long generation, String changeId, Instant createdAt,
                        List<Resource> resources) {
        this(schema, generation, changeId, createdAt, null, resources);
    }

    /** The notes on one resource (empty: every condition holds). */
    public List<io.kshift.model.status.StatusNote> status(io.kshift.model.resource.ResourceKey key) {
        return status.getOrDefault(key.toString(), List.of());
    }

    /** Every snapshot on the bus has a generation (the first accepted change makes 1) and a time. */
    @Override
    public List<String> missingFields() {
        return CompleteEvent.generationStamp(generation, createdAt);
    }

    /** The config before anything was applied: generation 0, no resources. */
    public static MeshSnapshot empty() {
        return new MeshSnapshot(Schemas.MESH_SNAPSHOT, 0, null, Instant.EPOCH, List.of());
    }
}
