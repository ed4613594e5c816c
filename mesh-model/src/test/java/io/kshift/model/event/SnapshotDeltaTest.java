package io.kshift.model.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kshift.model.ScaleFixtures;
import io.kshift.model.mesh.MeshConfig;
import org.junit.jupiter.api.Test;

class SnapshotDeltaTest {
    final MeshConfig before = MeshConfig.of(ScaleFixtures.services(4));

    @Test
    void aDeltaTravelsAsJsonAndRebuildsTheNextConfigExactly() {
        MeshConfig.Changed configured = before.apply(ScaleFixtures.service(1, 20, "127.0.0.2"));
        MeshConfig.Changed next = configured.config().delete(ScaleFixtures.service(3, 90, "127.0.0.1"));
        java.util.List<io.kshift.model.resource.ResourceKey> changed = new java.util.ArrayList<>(configured.changedKeys());
        changed.addAll(next.changedKeys());
        SnapshotDelta delta = SnapshotDelta.between(7, before, next.config(), changed);
        assertThat(delta.upserts()).hasSize(2); // svc-1's VirtualService and v1 WorkloadEntry
        assertThat(delta.deletes()).hasSize(5);

        SnapshotDelta read = EventCodec.decode(EventCodec.encode(delta), SnapshotDelta.class);
        assertThat(read).isEqualTo(delta);
        MeshConfig.Changed rebuilt = read.applyTo(before).orElseThrow();
        assertThat(rebuilt.config().all()).containsExactlyElementsOf(next.config().all());
        assertThat(rebuilt.changedKeys()).containsExactlyInAnyOrderElementsOf(changed);
    }

    @Test
    void aDeltaWhoseCountDoesNotAddUpIsNotApplied() {
        MeshConfig.Changed next = before.apply(ScaleFixtures.service(1, 20, "127.0.0.1"));
        SnapshotDelta delta = SnapshotDelta.between(7, before, next.config(), next.changedKeys());
        // Applied to a config it was not made from (one service short), the count tells.
        MeshConfig other = before.delete(ScaleFixtures.service(0, 90, "127.0.0.1")).config();
        assertThat(delta.applyTo(other)).isEmpty();
    }

    @Test
    void aHeaderThatIsNoDeltaIsRefused() {
        assertThatThrownBy(() -> EventCodec.decode("{\"base\":3,\"generation\":9,\"resources\":1}", SnapshotDelta.class))
                .hasMessageContaining("generation");
        assertThatThrownBy(() -> EventCodec.decode("{\"base\":3,\"generation\":4,\"resources\":1,\"upserts\":[{\"kind\":"
                + "\"NoSuchKind\"}]}", SnapshotDelta.class)).isInstanceOf(RuntimeException.class);
    }
}
