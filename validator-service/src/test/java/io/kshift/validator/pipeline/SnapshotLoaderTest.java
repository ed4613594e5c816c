package io.kshift.validator.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.SnapshotLoader;
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
 * The live config is rebuilt from the newest readable snapshot: stray records after it (not JSON, JSON without a
 * generation, an empty value) are skipped instead of stopping every validator restart and every new proxy.
 */
class SnapshotLoaderTest {
    @Test
    void skipsUnreadableRecordsAfterTheNewestSnapshot() throws Exception {
        String topic = "kshift.config.loader-" + UUID.randomUUID();
        try (Admin admin = Admin.create(EmbeddedKafka.clientConfig())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        MeshSnapshot good = new MeshSnapshot(null, 7, "c7", Instant.EPOCH, List.of());
        try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers",
                EmbeddedKafka.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
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
        String topic = "kshift.config.history-" + UUID.randomUUID();
        try (Admin admin = Admin.create(EmbeddedKafka.clientConfig())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers",
                EmbeddedKafka.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            for (int g = 1; g <= 300; g++) {
                producer.send(new ProducerRecord<>(topic, "mesh", EventCodec.encode(
                        new MeshSnapshot(null, g, "c" + g, Instant.EPOCH, List.of()))));
            }
        }
        assertThat(new SnapshotLoader(EmbeddedKafka.bootstrapServers(), topic).latest().generation()).isEqualTo(300);
    }
}
