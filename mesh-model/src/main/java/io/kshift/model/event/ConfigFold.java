package io.kshift.model.event;

import io.kshift.model.mesh.MeshConfig;
import java.util.Optional;

/**
 * The live config from {@code kshift.config} records read oldest first, for readers that decode every record: a
 * checkpoint (key {@value MeshTopics#MESH_KEY}, a whole {@link MeshSnapshot}) newer than the live one replaces it; a
 * {@link SnapshotDelta} (key {@value MeshTopics#DELTA_KEY}) newer than it moves it on when its checkpoint is where the
 * live config came from. Anything older is passed over. Not thread-safe: one reader thread.
 */
public final class ConfigFold {
    private MeshSnapshot live = MeshSnapshot.empty();
    private MeshConfig config = MeshConfig.empty();

    /** The live snapshot so far (generation 0, empty, before any record). */
    public MeshSnapshot live() {
        return live;
    }

    /**
     * Reads one record; returns the new live snapshot when it moved. Throws when the record does not decode; a delta
     * whose checkpoint this reader has not seen (compaction left an old delta before a newer checkpoint) is passed
     * over.
     */
    public Optional<MeshSnapshot> accept(String key, String value) {
        if (MeshTopics.DELTA_KEY.equals(key)) {
            SnapshotDelta delta = EventCodec.decode(value, SnapshotDelta.class);
            if (delta.generation() <= live.generation() || delta.base() > live.generation()) {
                return Optional.empty();
            }
            MeshConfig.Changed next = delta.applyTo(config).orElseThrow(() -> new IllegalStateException("the delta to "
                    + "generation " + delta.generation() + " does not add up to " + delta.resources()
                    + " resources on generation " + live.generation()));
            config = next.config();
            live = delta.snapshot(config);
            return Optional.of(live);
        }
        MeshSnapshot snapshot = EventCodec.decode(value, MeshSnapshot.class);
        if (snapshot.generation() <= live.generation()) {
            return Optional.empty();
        }
        live = snapshot;
        config = MeshConfig.of(snapshot.resources());
        return Optional.of(live);
    }
}
