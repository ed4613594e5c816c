package io.kshift.validator.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.ScaleFixtures;
import io.kshift.model.event.ConfigFold;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.event.SnapshotDelta;
import io.kshift.model.event.SnapshotEncoder;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.mesh.SyntheticMesh;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What the validator writes to the config topic per generation: small cumulative deltas between checkpoints. */
class ConfigChainTest {
    private final ConfigChain chain = new ConfigChain();
    private final ConfigFold reader = new ConfigFold();
    private MeshConfig config = MeshConfig.of(ScaleFixtures.services(50));
    private long generation = 10;
    private Instant now = Instant.parse("2026-12-04T10:00:00Z");
    /** How often the chain asked for a whole snapshot's JSON. */
    private int encoded;

    /** One change: the record the chain picks, committed and read back as a reader of the topic would. */
    private ConfigChain.Next change(MeshConfig.Changed next, boolean commit) {
        MeshSnapshot snapshot = new MeshSnapshot(null, generation + 1, "c" + (generation + 1), now,
                next.config().all());
        SnapshotDelta step = SnapshotDelta.step(config, next.config(), next.changedKeys(), snapshot);
        byte[] json = new SnapshotEncoder().encodeUtf8(snapshot);
        int before = encoded;
        ConfigChain.Next record = chain.next(snapshot, step, json.length, () -> {
            encoded++;
            return json;
        });
        assertThat(encoded - before).as("the whole snapshot is encoded for a checkpoint only")
                .isEqualTo(record.isCheckpoint() ? 1 : 0);
        if (commit) {
            chain.committed(record);
            generation++;
            config = next.config();
            reader.accept(record.key(), new String(record.value(), StandardCharsets.UTF_8));
            assertThat(reader.live()).isEqualTo(snapshot);
        }
        return record;
    }

    @Test
    void smallChangesAreDeltasOnTheLastCheckpointAndBigOnesNewCheckpoints() {
        assertThat(change(config.apply(ScaleFixtures.service(1, 20, "127.0.0.1")), true).key())
                .as("the first record of an owner").isEqualTo(MeshTopics.MESH_KEY);
        for (int i = 0; i < 5; i++) {
            ConfigChain.Next next = change(config.apply(ScaleFixtures.service(i, 30 + i, "127.0.0.1")), true);
            assertThat(next.key()).isEqualTo(MeshTopics.DELTA_KEY);
            SnapshotDelta delta = EventCodec.decode(new String(next.value(), StandardCharsets.UTF_8),
                    SnapshotDelta.class);
            assertThat(delta.base()).isEqualTo(11);
            assertThat(delta.upserts()).hasSize(i + 1); // one VirtualService per service changed since
        }
        // Deleting half the mesh is a small delta (keys only); replacing it all is a checkpoint, and the next
        // delta starts from that.
        assertThat(change(config.replaceWith(MeshConfig.of(ScaleFixtures.services(25)).all()), true).key())
                .isEqualTo(MeshTopics.DELTA_KEY);
        assertThat(change(config.replaceWith(ScaleFixtures.parse(SyntheticMesh.services("other", 0, 25))), true)
                .key()).isEqualTo(MeshTopics.MESH_KEY);
        ConfigChain.Next after = change(config.apply(ScaleFixtures.service(3, 70, "127.0.0.1")), true);
        assertThat(EventCodec.decode(new String(after.value(), StandardCharsets.UTF_8), SnapshotDelta.class).base())
                .isEqualTo(18);
    }

    @Test
    void aCheckpointComesAtLeastEveryHundredGenerations() {
        change(config.apply(ScaleFixtures.service(1, 20, "127.0.0.1")), true);
        for (int i = 1; i <= ConfigChain.MAX_DELTAS; i++) {
            assertThat(change(config.apply(ScaleFixtures.service(1, i % 100, "127.0.0.1")), true).key())
                    .as("generation %d", generation + 1).isEqualTo(MeshTopics.DELTA_KEY);
        }
        assertThat(change(config.apply(ScaleFixtures.service(1, 55, "127.0.0.1")), true).key())
                .isEqualTo(MeshTopics.MESH_KEY);
    }

    /** History keeps 30 days: a delta's checkpoint must not age out while the delta is kept. */
    @Test
    void aCheckpointComesAtLeastOnceADay() {
        change(config.apply(ScaleFixtures.service(1, 20, "127.0.0.1")), true);
        now = now.plus(ConfigChain.MAX_CHECKPOINT_AGE);
        assertThat(change(config.apply(ScaleFixtures.service(1, 21, "127.0.0.1")), true).key())
                .isEqualTo(MeshTopics.DELTA_KEY);
        now = now.plusSeconds(1);
        assertThat(change(config.apply(ScaleFixtures.service(1, 22, "127.0.0.1")), true).key())
                .isEqualTo(MeshTopics.MESH_KEY);
        assertThat(change(config.apply(ScaleFixtures.service(1, 23, "127.0.0.1")), true).key())
                .isEqualTo(MeshTopics.DELTA_KEY);
    }

    @Test
    void anAbortedTransactionOrATakeoverLeavesNoGap() {
        change(config.apply(ScaleFixtures.service(1, 20, "127.0.0.1")), true);
        // Not committed (the transaction aborted): the same generation is decided again, against the same chain.
        change(config.apply(ScaleFixtures.service(2, 20, "127.0.0.1")), false);
        assertThat(change(config.apply(ScaleFixtures.service(2, 40, "127.0.0.1")), true).key())
                .isEqualTo(MeshTopics.DELTA_KEY);
        // After a takeover the previous owner's chain is unknown here: a checkpoint first.
        chain.reset();
        assertThat(change(config.apply(ScaleFixtures.service(3, 40, "127.0.0.1")), true).key())
                .isEqualTo(MeshTopics.MESH_KEY);
    }
}
