package io.kshift.config.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.MeshTopics;
import io.kshift.testkit.Bus;
import io.kshift.testkit.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/** config-service is ready once it has read the generation live on the bus when it started, not before. */
class CaughtUpTest {
    @Test
    void notReadyUntilTheGenerationLiveAtStartIsRead() throws Exception {
        String topic = "caught-up-" + UUID.randomUUID();
        try (var admin = org.apache.kafka.clients.admin.Admin.create(EmbeddedKafka.clientConfig())) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 1, (short) 1))).all().get();
        }
        String seven = EventCodec.encode(new MeshSnapshot(null, 7, "c7", Instant.now(), List.of()));
        Bus.send(topic, MeshTopics.MESH_KEY, seven);
        LiveConfig live = new LiveConfig();
        CaughtUp check = new CaughtUp(live, EmbeddedKafka.clientConfig(), topic, java.util.Map.of());
        check.start(null);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(check.call().getData().orElseThrow()).containsEntry("liveAtStart", 7L));
        assertThat(check.call().getStatus()).as("generation 0 read so far").isEqualTo(HealthCheckResponse.Status.DOWN);

        live.onSnapshot(new ConsumerRecord<>(topic, 0, 0L, MeshTopics.MESH_KEY, seven.getBytes(StandardCharsets.UTF_8)));
        assertThat(check.call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
    }

    @Test
    void aDeltaWhoseCheckpointIsGoneIsTheTargetNotAWaitForEver() throws Exception {
        String topic = "caught-up-" + UUID.randomUUID();
        try (var admin = org.apache.kafka.clients.admin.Admin.create(EmbeddedKafka.clientConfig())) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 1, (short) 1))).all().get();
        }
        // Only a delta on generation 8 is left (compaction took its checkpoint): the chain is broken until the
        // validator writes the next checkpoint, which needs a change through a ready config-service.
        Bus.send(topic, MeshTopics.DELTA_KEY, EventCodec.encode(new io.kshift.model.event.SnapshotDelta(null, 8, 9,
                "c9", Instant.now(), 0, java.util.Map.of(), List.of(), List.of())));
        CaughtUp check = new CaughtUp(new LiveConfig(), EmbeddedKafka.clientConfig(), topic, java.util.Map.of());
        check.start(null);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(check.call().getData().orElseThrow()).containsEntry("liveAtStart", 9L));
    }

    @Test
    void notReadyUntilTheProxiesReportsAndTheVerdictsOnTheBusAtStartAreRead() throws Exception {
        String topic = "caught-up-" + UUID.randomUUID();
        String results = "caught-up-results-" + UUID.randomUUID();
        try (var admin = org.apache.kafka.clients.admin.Admin.create(EmbeddedKafka.clientConfig())) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 1, (short) 1),
                    new org.apache.kafka.clients.admin.NewTopic(results, 1, (short) 1))).all().get();
        }
        String seven = EventCodec.encode(new MeshSnapshot(null, 7, "c7", Instant.now(), List.of()));
        Bus.send(topic, MeshTopics.MESH_KEY, seven);
        // Verdicts are written in transactions: the last offsets are a commit marker, and an aborted transaction's
        // record after it, neither of which a reader ever gets.
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<>(transactional(),
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.StringSerializer())) {
            producer.initTransactions();
            for (String id : List.of("c1", "c2")) {
                producer.beginTransaction();
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(results, id, "{}"));
                producer.commitTransaction();
            }
            producer.beginTransaction();
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(results, "c3", "{}")).get();
            producer.abortTransaction();
        }
        LiveConfig live = new LiveConfig();
        live.onSnapshot(new ConsumerRecord<>(topic, 0, 0L, MeshTopics.MESH_KEY, seven.getBytes(StandardCharsets.UTF_8)));
        ReadThrough verdicts = new ReadThrough();
        CaughtUp check = new CaughtUp(live, EmbeddedKafka.clientConfig(), topic, java.util.Map.of(results, verdicts));
        check.start(null);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(check.call().getData().orElseThrow()).containsEntry("liveAtStart", 7L));
        assertThat(check.call().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(check.call().getData().orElseThrow()).containsEntry(results, "reading");

        // c1 at offset 0, its marker 1, c2 at 2: the last verdict a reader can get.
        verdicts.read(0, 0);
        assertThat(check.call().getStatus()).as("c2 not read yet").isEqualTo(HealthCheckResponse.Status.DOWN);
        verdicts.read(0, 2);
        assertThat(check.call().getStatus()).as(check.call().getData().toString()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(check.call().getData().orElseThrow()).containsEntry(results, "read");
    }

    @Test
    void aTopicWithNothingOnItIsReadAtOnce() throws Exception {
        String status = "caught-up-status-" + UUID.randomUUID();
        try (var admin = org.apache.kafka.clients.admin.Admin.create(EmbeddedKafka.clientConfig())) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(status, 2, (short) 1))).all().get();
        }
        ReadThrough reports = new ReadThrough();
        reports.findTarget(io.kshift.model.bus.BusConnection.of(EmbeddedKafka.clientConfig()), status);
        assertThat(reports.done()).isTrue();
    }

    private static java.util.Map<String, Object> transactional() {
        var props = new java.util.HashMap<String, Object>(EmbeddedKafka.clientConfig());
        props.put("transactional.id", "caught-up-" + UUID.randomUUID());
        return props;
    }
}
