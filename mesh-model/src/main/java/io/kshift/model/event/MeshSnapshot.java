package io.kshift.model.event;

import io.kshift.model.Lists;
import io.kshift.model.resource.Resource;
import java.time.Instant;
import java.util.List;

/** {@code kshift.config} (compacted), key {@code mesh}: the whole accepted mesh config at one generation. */
public record MeshSnapshot(String schema, long generation, String changeId, Instant createdAt,
                           List<Resource> resources) implements CompleteEvent {
    public MeshSnapshot {
        schema = Schemas.MESH_SNAPSHOT;
        resources = Lists.copy(resources);
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
