package io.kshift.validator.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.event.SnapshotDelta;
import io.kshift.model.event.SnapshotLoader;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.ScaleFixtures;
import io.kshift.testkit.EmbeddedKafka;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The live config is rebuilt from the newest readable snapshot, moved on by the newest delta after it: stray records
 * after it (not JSON, JSON without a generation, an empty value) are skipped instead of stopping every validator
 * restart and every new proxy.
 */
class SnapshotLoaderTest {
    @Test
    void skipsUnreadableRecordsAfterTheNewestSnapshot() throws Exception {
        String topic = newTopic("kshift.config.loader-");
        MeshSnapshot good = new MeshSnapshot(null, 7, "c7", Instant.EPOCH, List.of());
        try (var producer = producer()) {
            producer.send(new ProducerRecord<>(topic, "mesh", EventCodec.encode(
                    new MeshSnapshot(null, 6, "c6", Instant.EPOCH, List.of()))));
            producer.send(new ProducerRecord<>(topic, "mesh", EventCodec.encode(good)));
            for (String poison : java.util.Arrays.asList("not json", "{}", "{\"generation\":\"many\"}", null)) {
                producer.send(new ProducerRecord<>(topic, "mesh", poison));
            }
        }
        MeshSnapshot loaded = new SnapshotLoader(EmbeddedKafka.bootstrapServers(), topic).latest();
        assertThat(loaded.generation()).isEqualTo(7);
        assertThat(loaded.changeId()).isEqualTo("c7");
    }

    @Test
    void findsTheNewestOfALongHistoryFromTheEnd() throws Exception {
        String topic = newTopic("kshift.config.history-");
        try (var producer = producer()) {
            for (int g = 1; g <= 300; g++) {
                producer.send(new ProducerRecord<>(topic, "mesh", EventCodec.encode(
                        new MeshSnapshot(null, g, "c" + g, Instant.EPOCH, List.of()))));
            }
        }
        assertThat(new SnapshotLoader(EmbeddedKafka.bootstrapServers(), topic).latest().generation()).isEqualTo(300);
    }

    @Test
    void theNewestDeltaIsAppliedToItsCheckpoint() throws Exception {
        String topic = newTopic("kshift.config.delta-");
        MeshConfig g4 = MeshConfig.of(ScaleFixtures.services(3));
        MeshConfig.Changed g5 = g4.apply(ScaleFixtures.service(1, 20, "127.0.0.1"));
        MeshConfig.Changed g6 = g5.config().apply(ScaleFixtures.service(2, 30, "127.0.0.1"));
        SnapshotDelta d5 = SnapshotDelta.step(g4, g5.config(), g5.changedKeys(), snapshot(5, g5.config()));
        SnapshotDelta d6 = d5.then(SnapshotDelta.step(g5.config(), g6.config(), g6.changedKeys(),
                snapshot(6, g6.config())));
        try (var producer = producer()) {
            producer.send(new ProducerRecord<>(topic, MeshTopics.MESH_KEY, EventCodec.encode(snapshot(4, g4))));
            producer.send(new ProducerRecord<>(topic, MeshTopics.DELTA_KEY, EventCodec.encode(d5)));
            producer.send(new ProducerRecord<>(topic, MeshTopics.DELTA_KEY, EventCodec.encode(d6)));
        }
        SnapshotLoader.Latest latest = new SnapshotLoader(EmbeddedKafka.bootstrapServers(), topic)
                .latestWithCheckpoint();
        assertThat(latest.checkpoint()).isEqualTo(4);
        assertThat(latest.snapshot()).isEqualTo(snapshot(6, g6.config()));
    }

    /** Compaction left a stray record under the checkpoint's key instead of checkpoint 4: no older config passes. */
    @Test
    void aDeltaWhoseCheckpointIsGoneIsRefusedNotTakenForAnOlderGeneration() throws Exception {
        String topic = newTopic("kshift.config.broken-");
        writeDeltaOn(topic, 3, MeshTopics.MESH_KEY, "not json");
        assertThatThrownBy(() -> new SnapshotLoader(EmbeddedKafka.bootstrapServers(), topic).latest())
                .isInstanceOfSatisfying(SnapshotLoader.BrokenChain.class, e -> assertThat(e.generation()).isEqualTo(5))
                .hasMessageContaining("live generation 5").hasMessageContaining("generation 4");
    }

    /** The newest delta does not decode: the delta before it is not the live generation either. */
    @Test
    void anUnreadableNewestDeltaIsRefusedNotPassedOver() throws Exception {
        String topic = newTopic("kshift.config.unreadable-");
        writeDeltaOn(topic, 4, MeshTopics.DELTA_KEY, "{\"base\":4,\"generation\":6");
        assertThatThrownBy(() -> new SnapshotLoader(EmbeddedKafka.bootstrapServers(), topic).latest())
                .isInstanceOf(SnapshotLoader.BrokenChain.class).hasMessageContaining("newest delta");
    }

    /** A newest delta that is JSON {@code null} decodes to nothing, not to no delta: refused all the same. */
    @Test
    void aNewestDeltaThatIsJsonNullIsRefusedNotPassedOver() throws Exception {
        String topic = newTopic("kshift.config.null-");
        writeDeltaOn(topic, 4, MeshTopics.DELTA_KEY, "null");
        assertThatThrownBy(() -> new SnapshotLoader(EmbeddedKafka.bootstrapServers(), topic).latest())
                .isInstanceOf(SnapshotLoader.BrokenChain.class).hasMessageContaining("newest delta")
                .hasMessageContaining("JSON null");
    }

    /**
     * The newest checkpoint is the validator's (it carries the summary) but does not decode here, say a newer
     * validator's: the checkpoint before it is not the live generation.
     */
    @Test
    void anUnreadableNewestCheckpointOfTheValidatorsIsRefusedNotPassedOver() throws Exception {
        String topic = newTopic("kshift.config.newer-");
        String newer = "{\"schema\":\"kshift.MeshSnapshot/v9\",\"generation\":6,\"resources\":{\"packed\":true}}";
        ProducerRecord<String, String> checkpoint = new ProducerRecord<>(topic, MeshTopics.MESH_KEY, newer);
        checkpoint.headers().add(io.kshift.model.event.GenerationSummary.HEADER, EventCodec.encode(
                new io.kshift.model.event.GenerationSummary(6, "c6", Instant.EPOCH, 3, List.of(), "validator"))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try (var producer = producer()) {
            producer.send(new ProducerRecord<>(topic, MeshTopics.MESH_KEY, EventCodec.encode(
                    snapshot(5, MeshConfig.of(ScaleFixtures.services(3))))));
            producer.send(checkpoint);
        }
        assertThatThrownBy(() -> new SnapshotLoader(EmbeddedKafka.bootstrapServers(), topic).latest())
                .isInstanceOfSatisfying(SnapshotLoader.BrokenChain.class, e -> assertThat(e.generation()).isEqualTo(6))
                .hasMessageContaining("newest checkpoint");
    }

    /**
     * A stray record with a summary header that does not read (JSON {@code null} among them), or names another
     * generation, is still passed over.
     */
    @Test
    void aStrayWithASummaryHeaderThatIsNotTheValidatorsIsPassedOver() throws Exception {
        String topic = newTopic("kshift.config.stray-header-");
        try (var producer = producer()) {
            producer.send(new ProducerRecord<>(topic, MeshTopics.MESH_KEY, EventCodec.encode(
                    snapshot(5, MeshConfig.of(ScaleFixtures.services(3))))));
            for (String header : List.of("not a summary", "null", EventCodec.encode(
                    new io.kshift.model.event.GenerationSummary(9, "c9", Instant.EPOCH, 3, List.of(), "someone")))) {
                ProducerRecord<String, String> stray = new ProducerRecord<>(topic, MeshTopics.MESH_KEY,
                        "{\"generation\":6, \"packed\":true}");
                stray.headers().add(io.kshift.model.event.GenerationSummary.HEADER,
                        header.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                producer.send(stray);
            }
        }
        assertThat(new SnapshotLoader(EmbeddedKafka.bootstrapServers(), topic).latest().generation()).isEqualTo(5);
    }

    /**
     * A checkpoint of 3 services as generation {@code checkpoint}, then the record {@code strayKey} → {@code stray},
     * then the delta to generation 5 on generation 4; or, when the stray is under the delta key, the stray last.
     */
    private static void writeDeltaOn(String topic, long checkpoint, String strayKey, String stray) {
        MeshConfig g4 = MeshConfig.of(ScaleFixtures.services(3));
        MeshConfig.Changed g5 = g4.apply(ScaleFixtures.service(1, 20, "127.0.0.1"));
        ProducerRecord<String, String> strayRecord = new ProducerRecord<>(topic, strayKey, stray);
        try (var producer = producer()) {
            producer.send(new ProducerRecord<>(topic, MeshTopics.MESH_KEY, EventCodec.encode(snapshot(checkpoint, g4))));
            if (!MeshTopics.DELTA_KEY.equals(strayKey)) {
                producer.send(strayRecord);
            }
            producer.send(new ProducerRecord<>(topic, MeshTopics.DELTA_KEY, EventCodec.encode(SnapshotDelta.step(g4,
                    g5.config(), g5.changedKeys(), snapshot(5, g5.config())))));
            if (MeshTopics.DELTA_KEY.equals(strayKey)) {
                producer.send(strayRecord);
            }
        }
    }

    private static String newTopic(String prefix) throws Exception {
        String topic = prefix + UUID.randomUUID();
        try (Admin admin = Admin.create(EmbeddedKafka.clientConfig())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        return topic;
    }

    private static KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", EmbeddedKafka.bootstrapServers()),
                new StringSerializer(), new StringSerializer());
    }

    private static MeshSnapshot snapshot(long generation, MeshConfig config) {
        return new MeshSnapshot(null, generation, "c" + generation, Instant.EPOCH, config.all());
    }
}
