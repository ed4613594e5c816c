package io.kshift.model.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kshift.model.ScaleFixtures;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.ResourceKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SnapshotDeltaTest {
    final MeshConfig before = MeshConfig.of(ScaleFixtures.services(4));

    static MeshSnapshot snapshot(long generation, MeshConfig config) {
        return new MeshSnapshot(Schemas.MESH_SNAPSHOT, generation, "change-" + generation,
                Instant.parse("2026-12-04T10:00:00Z").plusSeconds(generation), config.all());
    }

    static SnapshotDelta step(long generation, MeshConfig before, MeshConfig.Changed next) {
        return SnapshotDelta.step(before, next.config(), next.changedKeys(), snapshot(generation, next.config()));
    }

    @Test
    void aDeltaTravelsAsJsonAndRebuildsTheNextSnapshotExactly() {
        MeshConfig.Changed configured = before.apply(ScaleFixtures.service(1, 20, "127.0.0.2"));
        MeshConfig.Changed next = configured.config().delete(ScaleFixtures.service(3, 90, "127.0.0.1"));
        List<ResourceKey> changed = new ArrayList<>(configured.changedKeys());
        changed.addAll(next.changedKeys());
        SnapshotDelta delta = SnapshotDelta.step(before, next.config(), changed, snapshot(8, next.config()));
        assertThat(delta.base()).isEqualTo(7);
        assertThat(delta.upserts()).hasSize(2); // svc-1's VirtualService and v1 WorkloadEntry
        assertThat(delta.deletes()).hasSize(5);

        String json = EventCodec.encode(delta);
        assertThat(json).startsWith("{\"schema\":\"kshift.io/v1/SnapshotDelta\",\"base\":7,\"generation\":8,");
        SnapshotDelta read = EventCodec.decode(json, SnapshotDelta.class);
        assertThat(read).isEqualTo(delta);
        MeshConfig.Changed rebuilt = read.applyTo(before).orElseThrow();
        assertThat(rebuilt.config().all()).containsExactlyElementsOf(next.config().all());
        assertThat(rebuilt.changedKeys()).containsExactlyInAnyOrderElementsOf(changed);
        assertThat(read.snapshot(rebuilt.config())).isEqualTo(snapshot(8, next.config()));
    }

    /**
     * On the history topic keys are generations: a delta is told by its header, or by how it starts when a copy lost
     * its headers.
     */
    @Test
    void aDeltaIsNeverTakenForAWholeSnapshot() {
        String delta = EventCodec.encode(step(8, before, before.apply(ScaleFixtures.service(1, 20, "127.0.0.1"))));
        String whole = EventCodec.encode(snapshot(7, before));
        var headers = new org.apache.kafka.common.header.internals.RecordHeaders();
        headers.add(MeshTopics.SCHEMA_HEADER, Schemas.SNAPSHOT_DELTA.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(MeshTopics.isDelta("8", headers)).isTrue();
        assertThat(MeshTopics.isDelta(MeshTopics.DELTA_KEY, null)).isTrue();
        assertThat(MeshTopics.isDelta("8", new org.apache.kafka.common.header.internals.RecordHeaders(), delta))
                .as("no header, but the value says so").isTrue();
        assertThat(MeshTopics.isDelta("7", null, whole)).isFalse();
        var empty = new org.apache.kafka.common.header.internals.RecordHeaders();
        empty.add(MeshTopics.SCHEMA_HEADER, null);
        assertThat(MeshTopics.isDelta("7", empty, whole)).isFalse();
        // A reader that did not look would fail rather than see an empty config (its resources are a count).
        assertThatThrownBy(() -> EventCodec.decode(delta, MeshSnapshot.class)).hasMessageContaining("not a MeshSnapshot");
    }

    @Test
    void aDeltaWhoseCountDoesNotAddUpIsNotApplied() {
        MeshConfig.Changed next = before.apply(ScaleFixtures.service(1, 20, "127.0.0.1"));
        SnapshotDelta delta = step(8, before, next);
        // Applied to a config it was not made from (one service short), the count tells.
        MeshConfig other = before.delete(ScaleFixtures.service(0, 90, "127.0.0.1")).config();
        assertThat(delta.applyTo(other)).isEmpty();
    }

    @Test
    void aRecordThatIsNoDeltaIsRefused() {
        assertThatThrownBy(() -> EventCodec.decode("{\"base\":9,\"generation\":9,\"resources\":1,"
                + "\"createdAt\":\"2026-12-04T10:00:00Z\"}", SnapshotDelta.class)).hasMessageContaining("base");
        assertThatThrownBy(() -> EventCodec.decode("{\"base\":3,\"generation\":9,\"resources\":1}",
                SnapshotDelta.class)).hasMessageContaining("createdAt");
        assertThatThrownBy(() -> EventCodec.decode("{\"base\":3,\"generation\":4,\"resources\":1,\"createdAt\":"
                + "\"2026-12-04T10:00:00Z\",\"upserts\":[{\"kind\":\"NoSuchKind\"}]}", SnapshotDelta.class))
                .isInstanceOf(RuntimeException.class);
    }

    @Test
    void aResourceDeletedAndCreatedAgainSinceTheCheckpointCarriesItsNewCreationTime() {
        Instant first = Instant.parse("2026-12-01T00:00:00Z");
        Instant again = Instant.parse("2026-12-04T00:00:00Z");
        MeshConfig c = MeshConfig.empty().apply(ScaleFixtures.services(2), first).config();
        MeshConfig.Changed deleted = c.delete(ScaleFixtures.service(1, 90, "127.0.0.1"));
        MeshConfig.Changed recreated = deleted.config().apply(ScaleFixtures.service(1, 90, "127.0.0.1"), again);
        SnapshotDelta cumulative = step(2, c, deleted).then(step(3, deleted.config(), recreated));
        // Applied on the checkpoint, which still has the old resources, the result is generation 3 exactly.
        MeshConfig applied = cumulative.applyTo(c).orElseThrow().config();
        assertThat(applied.all()).containsExactlyElementsOf(recreated.config().all());
        assertThat(applied.all()).filteredOn(r -> r.metadata().name().startsWith("svc-1"))
                .allSatisfy(r -> assertThat(r.metadata().creationTimestamp()).isEqualTo(again));
    }

    @Test
    void aDeltaOnlyFollowsTheGenerationItEnds() {
        SnapshotDelta first = step(8, before, before.apply(ScaleFixtures.service(1, 20, "127.0.0.1")));
        SnapshotDelta unrelated = step(12, before, before.apply(ScaleFixtures.service(2, 20, "127.0.0.1")));
        assertThatThrownBy(() -> first.then(unrelated)).hasMessageContaining("follows 11, not 8");
    }

    /**
     * A property over 300 random edits of a 20-service mesh (apply a service with other weights or addresses,
     * delete one, replace the whole config, apply nothing new), with a checkpoint every so often: each step's delta
     * through JSON rebuilds the next config exactly and names exactly the keys that changed; and the delta
     * accumulated since the checkpoint, applied to the config of any generation since then (a reader that skipped
     * some), gives the newest config — also where an edit was undone later (a weight set, then set back).
     */
    @Test
    void overRandomEditsStepsAndTheirSumAlwaysRebuildTheNewestConfig() {
        Random random = new Random(20261204);
        MeshConfig config = MeshConfig.of(ScaleFixtures.services(20));
        List<MeshConfig> sinceCheckpoint = new ArrayList<>(List.of(config));
        SnapshotDelta cumulative = null;
        for (int step = 0; step < 300; step++) {
            int service = random.nextInt(25);
            MeshConfig.Changed next = switch (random.nextInt(5)) {
                case 0, 4 -> config.apply(ScaleFixtures.service(service, random.nextInt(3) * 50,
                        "10.0.0." + random.nextInt(2)));
                case 1 -> config.delete(ScaleFixtures.service(service, 90, "127.0.0.1"));
                case 2 -> config.replaceWith(MeshConfig.of(ScaleFixtures.services(1 + random.nextInt(20))).all());
                default -> config.apply(List.of());
            };
            SnapshotDelta delta = EventCodec.decode(EventCodec.encode(step(step + 1, config, next)),
                    SnapshotDelta.class);
            MeshConfig.Changed rebuilt = delta.applyTo(config).orElseThrow();
            assertThat(rebuilt.config().all()).as("step %d", step).containsExactlyElementsOf(next.config().all());
            assertThat(new HashSet<>(rebuilt.changedKeys())).as("step %d", step)
                    .isEqualTo(new HashSet<>(config.changedKeys(next.config())));

            cumulative = cumulative == null ? delta : cumulative.then(delta);
            SnapshotDelta read = EventCodec.decode(EventCodec.encode(cumulative), SnapshotDelta.class);
            MeshConfig from = sinceCheckpoint.get(random.nextInt(sinceCheckpoint.size()));
            assertThat(read.applyTo(from).orElseThrow().config().all()).as("step %d", step)
                    .containsExactlyElementsOf(next.config().all());
            config = next.config();
            sinceCheckpoint.add(config);
            if (random.nextInt(40) == 0) {
                cumulative = null;
                sinceCheckpoint = new ArrayList<>(List.of(config));
            }
        }
    }
}
