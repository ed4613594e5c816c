package io.kshift.model.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kshift.model.ScaleFixtures;
import io.kshift.model.mesh.MeshConfig;
import java.util.List;
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

    /**
     * A property over 300 random edits of a 20-service mesh (apply a service with other weights or addresses,
     * delete one, replace the whole config, apply nothing new): the delta, through JSON, rebuilds the next config
     * exactly, resource for resource, and names exactly the keys that changed.
     */
    @Test
    void overRandomEditsTheDeltaAlwaysRebuildsTheNextConfig() {
        java.util.Random random = new java.util.Random(20261202);
        MeshConfig config = MeshConfig.of(ScaleFixtures.services(20));
        for (int step = 0; step < 300; step++) {
            int service = random.nextInt(25);
            MeshConfig.Changed next = switch (random.nextInt(4)) {
                case 0 -> config.apply(ScaleFixtures.service(service, random.nextInt(101),
                        "10.0.0." + random.nextInt(3)));
                case 1 -> config.delete(ScaleFixtures.service(service, 90, "127.0.0.1"));
                case 2 -> config.replaceWith(MeshConfig.of(ScaleFixtures.services(1 + random.nextInt(20))).all());
                default -> config.apply(List.of());
            };
            SnapshotDelta delta = EventCodec.decode(EventCodec.encode(SnapshotDelta.between(step, config,
                    next.config(), next.changedKeys())), SnapshotDelta.class);
            MeshConfig.Changed rebuilt = delta.applyTo(config).orElseThrow();
            assertThat(rebuilt.config().all()).as("step %d", step).containsExactlyElementsOf(next.config().all());
            assertThat(new java.util.HashSet<>(rebuilt.changedKeys())).as("step %d", step)
                    .isEqualTo(new java.util.HashSet<>(config.changedKeys(next.config())));
            config = next.config();
        }
    }
}
