package io.kshift.config.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.GenerationSummary;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.event.SnapshotDelta;
import io.kshift.model.event.SnapshotEncoder;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.Resource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The live view: generation from the summary header at once, resources decoded when asked, bad records skipped. */
class LiveConfigTest {
    private final LiveConfig live = new LiveConfig();
    private long offset;

    @Test
    void aSnapshotWithItsSummaryIsDecodedOnlyWhenItsResourcesAreAsked() throws Exception {
        List<Resource> allV1 = sample("tcp-echo-all-v1.yaml");
        live.onSnapshot(withSummary(snapshot(3, allV1)));
        assertThat(live.head().generation()).isEqualTo(3);
        assertThat(live.awaitGeneration(3, Duration.ofSeconds(1)).await().indefinitely()).isEqualTo(3);
        // A header that does not agree with its value (garbage, another generation) is not taken at its word.
        live.onSnapshot(withSummary(4, "{not a snapshot".getBytes(StandardCharsets.UTF_8)));
        live.onSnapshot(withSummary(9, encode(snapshot(8, List.of()))));
        live.onSnapshot(withUnreadableSummary(encode(snapshot(7, List.of()))));
        assertThat(live.head().generation()).as("the readable value without a usable header counts").isEqualTo(8);
        assertThat(live.current().generation()).isEqualTo(8);

        live.onSnapshot(withSummary(snapshot(10, allV1)));
        assertThat(live.head().generation()).isEqualTo(10);
        assertThat(live.current().generation()).isEqualTo(10);
        assertThat(live.current().resources()).hasSameSizeAs(allV1);
        // A value that opens right but breaks later is only found out when decoded: the last decoded one is shown.
        byte[] broken = encode(snapshot(11, allV1));
        live.onSnapshot(withSummary(11, java.util.Arrays.copyOf(broken, broken.length / 2)));
        assertThat(live.head().generation()).isEqualTo(11);
        assertThat(live.current().generation()).as("unreadable newest: the last decoded one").isEqualTo(10);
    }

    @Test
    void aSnapshotWithoutSummaryIsDecodedOnArrivalAndAnUnreadableOneIsSkipped() throws Exception {
        List<Resource> split = sample("tcp-echo-20-v2.yaml");
        live.onSnapshot(plain(encode(snapshot(7, split))));
        live.onSnapshot(plain("not json".getBytes(StandardCharsets.UTF_8)));
        live.onSnapshot(plain(null));
        live.onSnapshot(plain(encode(snapshot(6, List.of()))));

        assertThat(live.head().generation()).isEqualTo(7);
        assertThat(live.head().resources()).isEqualTo(split.size());
        assertThat(live.current().generation()).isEqualTo(7);
        assertThat(live.current().resources()).hasSameSizeAs(split);
    }

    @Test
    void aDeltaIsShownOnTheCheckpointBeforeIt() throws Exception {
        MeshConfig services = MeshConfig.of(sample("tcp-echo-services.yaml"));
        MeshConfig.Changed allV1 = services.apply(sample("tcp-echo-all-v1.yaml"));
        MeshConfig.Changed split = allV1.config().apply(sample("tcp-echo-20-v2.yaml"));
        live.onSnapshot(withSummary(snapshot(4, services.all())));
        SnapshotDelta d5 = SnapshotDelta.step(services, allV1.config(), allV1.changedKeys(),
                snapshot(5, allV1.config().all()));
        SnapshotDelta d6 = d5.then(SnapshotDelta.step(allV1.config(), split.config(), split.changedKeys(),
                snapshot(6, split.config().all())));
        live.onSnapshot(delta(d5, true));
        assertThat(live.head().generation()).isEqualTo(5);
        live.onSnapshot(delta(d6, true));
        assertThat(live.head().generation()).as("from the summary, nothing decoded yet").isEqualTo(6);
        assertThat(live.current().generation()).isEqualTo(6);
        assertThat(live.current().resources()).containsExactlyElementsOf(split.config().all());
        // Without a summary a delta is applied on arrival; an older one changes nothing.
        live.onSnapshot(delta(d5, false));
        assertThat(live.current().resources()).containsExactlyElementsOf(split.config().all());
        // A delta on a checkpoint this instance never read shows the last config it could make.
        SnapshotDelta orphan = SnapshotDelta.step(split.config(), services, split.config().changedKeys(services),
                snapshot(9, services.all()));
        live.onSnapshot(delta(new SnapshotDelta(null, 8, 9, "change-9", Instant.now(), orphan.resources(), null,
                orphan.upserts(), orphan.deletes()), true));
        assertThat(live.head().generation()).isEqualTo(9);
        assertThat(live.current().generation()).isEqualTo(6);
    }

    private ConsumerRecord<String, byte[]> delta(SnapshotDelta d, boolean summary) {
        ConsumerRecord<String, byte[]> r = new ConsumerRecord<>(MeshTopics.CONFIG, 0, offset++, MeshTopics.DELTA_KEY,
                EventCodec.encode(d).getBytes(StandardCharsets.UTF_8));
        if (summary) {
            r.headers().add(GenerationSummary.HEADER, EventCodec.encode(new GenerationSummary(d.generation(),
                    d.changeId(), d.createdAt(), d.resources(), List.of())).getBytes(StandardCharsets.UTF_8));
        }
        return r;
    }

    private static List<Resource> sample(String file) throws Exception {
        return ResourceReader.readBody(Files.readAllBytes(Path.of("..", "samples", "tcp-echo", file)),
                BodyFormat.YAML).resources();
    }

    private static MeshSnapshot snapshot(long generation, List<Resource> resources) {
        return new MeshSnapshot(null, generation, "change-" + generation, Instant.now(), resources);
    }

    private static byte[] encode(MeshSnapshot s) {
        return new SnapshotEncoder().encodeUtf8(s);
    }

    private ConsumerRecord<String, byte[]> withSummary(MeshSnapshot s) {
        return withSummary(s.generation(), encode(s));
    }

    private ConsumerRecord<String, byte[]> withSummary(long generation, byte[] value) {
        ConsumerRecord<String, byte[]> r = plain(value);
        GenerationSummary summary = new GenerationSummary(generation, "change-" + generation, Instant.now(), 3,
                List.of());
        r.headers().add(GenerationSummary.HEADER, EventCodec.encode(summary).getBytes(StandardCharsets.UTF_8));
        return r;
    }

    private ConsumerRecord<String, byte[]> withUnreadableSummary(byte[] value) {
        ConsumerRecord<String, byte[]> r = plain(value);
        r.headers().add(GenerationSummary.HEADER, "{oops".getBytes(StandardCharsets.UTF_8));
        return r;
    }

    private ConsumerRecord<String, byte[]> plain(byte[] value) {
        return new ConsumerRecord<>(MeshTopics.CONFIG, 0, offset++, MeshTopics.MESH_KEY, value);
    }
}
