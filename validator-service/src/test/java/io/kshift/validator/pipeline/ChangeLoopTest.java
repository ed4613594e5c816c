package io.kshift.validator.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.event.ChangeRequested;
import io.kshift.model.event.ChangeResult;
import io.kshift.model.event.ChangeStatus;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.event.SnapshotLoader;
import io.kshift.model.event.Operation;
import io.kshift.testkit.EmbeddedKafka;
import io.kshift.testkit.KafkaBrokerResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The validator against a real broker: changes in, results and snapshots out, committed together. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
class ChangeLoopTest {
    @Inject
    ChangeLoop loop;

    static ChangeRequested change(String file) throws Exception {
        var parsed = ResourceReader.readBody(Files.readAllBytes(Path.of("..", "samples", "tcp-echo", file)),
                BodyFormat.YAML);
        return ChangeRequested.of(UUID.randomUUID().toString(), Instant.now(), Operation.APPLY, parsed.resources(),
                false);
    }

    static List<String> readAll(String topic, int atLeast) {
        Properties p = new Properties();
        p.putAll(EmbeddedKafka.clientConfig());
        p.put("isolation.level", "read_committed");
        p.put("group.id", "test-" + UUID.randomUUID());
        p.put("auto.offset.reset", "earliest");
        List<String> values = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
                return values.size() >= atLeast;
            });
        }
        return values;
    }

    @Test
    void publishesResultsAndSnapshotsForEachChange() throws Exception {
        List<ChangeRequested> changes = List.of(change("tcp-echo-services.yaml"), change("tcp-echo-all-v1.yaml"),
                change("tcp-echo-20-v2.yaml"), change("tcp-echo-undefined-subset.yaml"));
        try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers",
                EmbeddedKafka.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            for (ChangeRequested c : changes) {
                producer.send(new ProducerRecord<>(MeshTopics.CHANGES, MeshTopics.MESH_KEY, EventCodec.encode(c)));
            }
        }
        List<ChangeResult> results = readAll(MeshTopics.CHANGE_RESULTS, 4).stream()
                .map(v -> EventCodec.decode(v, ChangeResult.class)).toList();
        assertThat(results).extracting(ChangeResult::status).containsExactly(ChangeStatus.ACCEPTED,
                ChangeStatus.ACCEPTED, ChangeStatus.ACCEPTED, ChangeStatus.REJECTED);
        assertThat(results).extracting(ChangeResult::generation).containsExactly(1L, 2L, 3L, 3L);
        assertThat(results.get(3).errors()).extracting(e -> e.field())
                .containsExactly("spec.tcp[0].route[0].destination.subset");

        List<MeshSnapshot> snapshots = readAll(MeshTopics.CONFIG, 3).stream()
                .map(v -> EventCodec.decode(v, MeshSnapshot.class)).toList();
        assertThat(snapshots).extracting(MeshSnapshot::generation).containsExactly(1L, 2L, 3L);
        assertThat(snapshots.get(2).changeId()).isEqualTo(changes.get(2).changeId());
        assertThat(loop.live().generation()).isEqualTo(3);
        assertThat(new SnapshotLoader(EmbeddedKafka.bootstrapServers(), MeshTopics.CONFIG).latest())
                .as("a restarted validator rebuilds the same live config").isEqualTo(snapshots.get(2));
    }
}
