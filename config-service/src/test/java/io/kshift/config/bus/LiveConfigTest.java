package io.kshift.config.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.GenerationSummary;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.event.SnapshotEncoder;
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
        // A garbage value under a valid header: the generation is known at once, the value never read until asked.
        live.onSnapshot(withSummary(4, "{not a snapshot".getBytes(StandardCharsets.UTF_8)));

        assertThat(live.head().generation()).isEqualTo(4);
        assertThat(live.awaitGeneration(4, Duration.ofSeconds(1)).await().indefinitely()).isEqualTo(4);
        // Generation 3 was never decoded, so the last good one is the empty start: nothing wrong is ever shown.
        assertThat(live.current().generation()).isZero();

        live.onSnapshot(withSummary(snapshot(5, allV1)));
        assertThat(live.current().generation()).isEqualTo(5);
        assertThat(live.current().resources()).hasSameSizeAs(allV1);
        live.onSnapshot(withSummary(6, "[]".getBytes(StandardCharsets.UTF_8)));
        assertThat(live.head().generation()).isEqualTo(6);
        assertThat(live.current().generation()).as("unreadable newest: the last decoded one").isEqualTo(5);
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

    private static List<Resource> sample(String file) throws Exception {
        return ResourceReader.readBody(Files.readAllBytes(Path.of("..", "samples", "tcp-echo", file)),
                BodyFormat.YAML).resources();
    }

    private static MeshSnapshot snapshot(long generation, List<Resource> resources) {
        return new MeshSnapshot(null, generation, "change-" + generation, Instant.now(), resources);
    }

    private static byte[] encode(MeshSnapshot s) {
        return new SnapshotEncoder().encode(s).getBytes(StandardCharsets.UTF_8);
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

    private ConsumerRecord<String, byte[]> plain(byte[] value) {
        return new ConsumerRecord<>(MeshTopics.CONFIG, 0, offset++, MeshTopics.MESH_KEY, value);
    }
}
