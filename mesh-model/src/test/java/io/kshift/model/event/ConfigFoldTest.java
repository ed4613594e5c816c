package io.kshift.model.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kshift.model.ScaleFixtures;
import io.kshift.model.mesh.MeshConfig;
import org.junit.jupiter.api.Test;

class ConfigFoldTest {
    final MeshConfig g1 = MeshConfig.of(ScaleFixtures.services(3));
    final MeshConfig.Changed to2 = g1.apply(ScaleFixtures.service(1, 20, "127.0.0.1"));
    final MeshConfig.Changed to3 = to2.config().apply(ScaleFixtures.service(2, 30, "127.0.0.1"));
    final SnapshotDelta d2 = SnapshotDeltaTest.step(2, g1, to2);
    final SnapshotDelta d3 = d2.then(SnapshotDeltaTest.step(3, to2.config(), to3));

    @Test
    void aCheckpointAndTheNewestDeltaOnItAreTheLiveConfig() {
        ConfigFold fold = new ConfigFold();
        assertThat(fold.accept(MeshTopics.MESH_KEY, EventCodec.encode(SnapshotDeltaTest.snapshot(1, g1)))).isPresent();
        assertThat(fold.accept(MeshTopics.DELTA_KEY, EventCodec.encode(d2)).orElseThrow().generation()).isEqualTo(2);
        assertThat(fold.accept(MeshTopics.DELTA_KEY, EventCodec.encode(d3)).orElseThrow())
                .isEqualTo(SnapshotDeltaTest.snapshot(3, to3.config()));
        // Compaction may have dropped d2: d3 alone on the checkpoint lands the same.
        ConfigFold compacted = new ConfigFold();
        compacted.accept(MeshTopics.MESH_KEY, EventCodec.encode(SnapshotDeltaTest.snapshot(1, g1)));
        assertThat(compacted.accept(MeshTopics.DELTA_KEY, EventCodec.encode(d3)).orElseThrow())
                .isEqualTo(SnapshotDeltaTest.snapshot(3, to3.config()));
    }

    @Test
    void olderRecordsAndDeltasWithoutTheirCheckpointArePassedOver() {
        ConfigFold fold = new ConfigFold();
        // An old delta left before the checkpoint that replaced it: its own checkpoint is gone.
        assertThat(fold.accept(MeshTopics.DELTA_KEY, EventCodec.encode(d3))).isEmpty();
        assertThat(fold.accept(MeshTopics.MESH_KEY, EventCodec.encode(SnapshotDeltaTest.snapshot(4, g1))))
                .isPresent();
        assertThat(fold.accept(MeshTopics.DELTA_KEY, EventCodec.encode(d3))).isEmpty();
        assertThat(fold.accept(MeshTopics.MESH_KEY, EventCodec.encode(SnapshotDeltaTest.snapshot(3, g1)))).isEmpty();
        assertThat(fold.live().generation()).isEqualTo(4);
        assertThatThrownBy(() -> fold.accept(MeshTopics.DELTA_KEY, "{}")).isInstanceOf(RuntimeException.class);
    }
}
