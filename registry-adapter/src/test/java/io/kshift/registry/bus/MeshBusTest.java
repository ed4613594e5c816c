package io.kshift.registry.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kshift.model.event.ChangeResult;
import io.kshift.model.event.ChangeStatus;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.event.Schemas;
import io.kshift.testkit.Bus;
import io.kshift.testkit.EmbeddedKafka;
import io.kshift.testkit.Poison;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The adapter's reader on the real test broker survives every kind of poison record on both topics it reads: it
 * still catches up with the live config (before which it publishes nothing) and still hears the next result.
 */
class MeshBusTest {
    static final int OVERSIZED = MeshTopics.MAX_RECORD_BYTES - 64 * 1024;

    @Test
    void poisonOnTheConfigAndResultTopicsIsSkippedAndReadingGoesOn() {
        List<Poison.Pill> pills = Poison.pills(OVERSIZED);
        pills.forEach(p -> Bus.send(MeshTopics.CONFIG, MeshTopics.MESH_KEY, p.value()));
        Instant now = Instant.now();
        String snapshotChange = "mesh-bus-test-" + System.nanoTime();
        Bus.send(MeshTopics.CONFIG, MeshTopics.MESH_KEY, EventCodec.encode(new MeshSnapshot(Schemas.MESH_SNAPSHOT,
                500, snapshotChange, now, List.of())));
        pills.forEach(p -> Bus.send(MeshTopics.CONFIG, MeshTopics.MESH_KEY, p.value()));

        List<MeshSnapshot> snapshots = new CopyOnWriteArrayList<>();
        List<ChangeResult> results = new CopyOnWriteArrayList<>();
        AtomicBoolean caughtUp = new AtomicBoolean();
        try (MeshBus bus = new MeshBus(EmbeddedKafka.bootstrapServers(), new MeshBus.Listener() {
            @Override
            public void snapshot(MeshSnapshot snapshot) {
                snapshots.add(snapshot);
            }

            @Override
            public void result(ChangeResult result) {
                results.add(result);
            }

            @Override
            public void caughtUp() {
                caughtUp.set(true);
            }
        })) {
            await().atMost(Duration.ofSeconds(30)).untilTrue(caughtUp);
            assertThat(snapshots).extracting(MeshSnapshot::changeId).contains(snapshotChange);
            assertThat(snapshots).allSatisfy(s -> assertThat(s.generation()).isPositive());

            // Results are read from where they stood at start: poison sent now, then a real result.
            String resultChange = "registry-after-poison-" + System.nanoTime();
            pills.forEach(p -> Bus.send(MeshTopics.CHANGE_RESULTS, "poison", p.value()));
            Bus.send(MeshTopics.CHANGE_RESULTS, resultChange, EventCodec.encode(new ChangeResult(
                    Schemas.CHANGE_RESULT, resultChange, ChangeStatus.ACCEPTED, 501, false, List.of(), List.of(),
                    List.of(), now)));
            await().atMost(Duration.ofSeconds(30)).until(() -> results.stream()
                    .anyMatch(r -> r.changeId().equals(resultChange)));
            assertThat(results).allSatisfy(r -> assertThat(r.changeId()).isNotNull());
        }
    }
}
