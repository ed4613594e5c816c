package io.kshift.validator.pipeline;

import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.event.SnapshotDelta;
import java.nio.charset.StandardCharsets;

/**
 * What goes to {@code kshift.config} for each accepted generation: the delta since the last checkpoint (cumulative,
 * so compaction may keep only the newest) while it stays small, else the whole snapshot as a new checkpoint. A
 * one-weight change on 10,000 resources is then a record of a few hundred bytes instead of 3 MB for every reader.
 * Change-loop thread only. Unknown after a takeover (the previous owner's chain is not read back): the next
 * generation is a checkpoint. Only what is committed moves the chain on: an aborted transaction is decided again
 * against the same chain.
 */
final class ConfigChain {
    /**
     * A checkpoint at least this often, however small the deltas: a reader stuck on a checkpoint it could not read,
     * or a checkpoint compacted away behind a stray record under its key, is back within this many generations.
     */
    static final int MAX_DELTAS = 100;
    /**
     * A checkpoint at least this often in time too: the history topic keeps records 30 days, and a generation written
     * as a delta is rebuilt there from its checkpoint's record, so that checkpoint must not be much older than the
     * delta (a mesh that changes twice a day would otherwise lose its checkpoint while its deltas are still kept).
     */
    static final java.time.Duration MAX_CHECKPOINT_AGE = java.time.Duration.ofDays(1);

    /** The generation of the last checkpoint written (-1: unknown, the next record is one). */
    private long checkpoint = -1;
    /** When that checkpoint's generation was made. */
    private java.time.Instant checkpointAt = java.time.Instant.MIN;
    /** Everything since that checkpoint (null: nothing yet). */
    private SnapshotDelta since;

    /** A record to write for a generation, and the chain once it is committed. */
    record Next(String key, byte[] value, long checkpoint, java.time.Instant checkpointAt, SnapshotDelta since) {
        boolean isCheckpoint() {
            return MeshTopics.MESH_KEY.equals(key);
        }
    }

    /**
     * The record for {@code next}'s generation, which {@code step} makes (null: not known, a checkpoint);
     * {@code snapshot} gives {@code next}'s JSON, {@code snapshotBytes} long, and is asked only for a checkpoint.
     */
    Next next(MeshSnapshot next, SnapshotDelta step, int snapshotBytes, java.util.function.Supplier<byte[]> snapshot) {
        long generation = next.generation();
        boolean due = generation - checkpoint > MAX_DELTAS
                || next.createdAt().isAfter(checkpointAt.plus(MAX_CHECKPOINT_AGE));
        SnapshotDelta cumulative = step == null || due ? null
                : since == null && checkpoint >= 0 && step.base() == checkpoint ? step
                : since != null && since.generation() == step.base() ? since.then(step) : null;
        if (cumulative != null) {
            byte[] delta = EventCodec.encode(cumulative).getBytes(StandardCharsets.UTF_8);
            if (delta.length <= SnapshotDelta.MAX_BYTES && delta.length * 2L <= snapshotBytes) {
                return new Next(MeshTopics.DELTA_KEY, delta, checkpoint, checkpointAt, cumulative);
            }
        }
        return new Next(MeshTopics.MESH_KEY, snapshot.get(), generation, next.createdAt(), null);
    }

    /** {@code next} is on the bus (its transaction committed). */
    void committed(Next next) {
        checkpoint = next.checkpoint();
        checkpointAt = next.checkpointAt();
        since = next.since();
    }

    /** After a takeover: what the previous owner wrote last is not known here. */
    void reset() {
        checkpoint = -1;
        checkpointAt = java.time.Instant.MIN;
        since = null;
    }
}
