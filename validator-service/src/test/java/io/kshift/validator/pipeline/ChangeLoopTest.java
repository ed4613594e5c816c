package io.kshift.validator.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.event.ChangeRequested;
import io.kshift.model.event.ChangeResult;
import io.kshift.model.event.ChangeStatus;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.GenerationSummary;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.event.ConfigFold;
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
                false).by("alice");
    }

    /** The summary headers of the history records (the audit trail {@code GET /api/v1/generations} lists). */
    static List<GenerationSummary> summaries(int atLeast) {
        Properties p = new Properties();
        p.putAll(EmbeddedKafka.clientConfig());
        p.put("isolation.level", "read_committed");
        p.put("group.id", "test-" + UUID.randomUUID());
        p.put("auto.offset.reset", "earliest");
        List<GenerationSummary> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(MeshTopics.CONFIG_HISTORY));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(EventCodec.decode(new String(r.headers().lastHeader(GenerationSummary.HEADER).value(),
                            java.nio.charset.StandardCharsets.UTF_8), GenerationSummary.class));
                }
                return out.size() >= atLeast;
            });
        }
        return out;
    }

    static List<String> readAll(String topic, int atLeast) {
        return records(topic, atLeast).stream().map(ConsumerRecord::value).toList();
    }

    static List<ConsumerRecord<String, String>> records(String topic, int atLeast) {
        Properties p = new Properties();
        p.putAll(EmbeddedKafka.clientConfig());
        p.put("isolation.level", "read_committed");
        p.put("group.id", "test-" + UUID.randomUUID());
        p.put("auto.offset.reset", "earliest");
        List<ConsumerRecord<String, String>> values = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r);
                }
                return values.size() >= atLeast;
            });
        }
        return values;
    }

    /** The results of these changes, in the order they were decided (other tests' results are skipped). */
    static List<ChangeResult> readResults(List<String> changeIds) {
        List<ChangeResult> mine = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            mine.clear();
            for (String v : readAll(MeshTopics.CHANGE_RESULTS, 1)) {
                ChangeResult r = EventCodec.decode(v, ChangeResult.class);
                if (changeIds.contains(r.changeId())) {
                    mine.add(r);
                }
            }
            return mine.size() >= changeIds.size();
        });
        return mine;
    }

    /**
     * What a validator taking over knows of earlier decisions: the change ids of the committed verdicts on the
     * results topic; a verdict whose transaction was aborted is no decision.
     */
    @Test
    void aValidatorTakingOverKnowsTheCommittedVerdictsFromTheResultsTopic() throws Exception {
        String committed = "committed-" + UUID.randomUUID();
        String aborted = "aborted-" + UUID.randomUUID();
        Properties p = new Properties();
        p.putAll(EmbeddedKafka.clientConfig());
        p.put("transactional.id", "test-decided-" + UUID.randomUUID());
        try (var producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            for (String id : List.of(committed, aborted)) {
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(MeshTopics.CHANGE_RESULTS, id, EventCodec.encode(new ChangeResult(
                        null, id, ChangeStatus.ACCEPTED, 0, true, List.of(), List.of(), List.of(), Instant.now()))));
                producer.flush();
                if (id.equals(committed)) {
                    producer.commitTransaction();
                } else {
                    producer.abortTransaction();
                }
            }
        }
        DecidedChanges decided = DecidedChanges.fromResults(io.kshift.model.bus.BusConnection.of(
                EmbeddedKafka.clientConfig()), MeshTopics.CHANGE_RESULTS);
        assertThat(decided.contains(committed)).isTrue();
        assertThat(decided.contains(aborted)).isFalse();
    }

    @Test
    void aChangeThatReachesTheBusTwiceIsDecidedOnce() throws Exception {
        // An Idempotency-Key retry sent twice (two config-service instances, or one restarted) carries one changeId.
        ChangeRequested twice = ChangeRequested.of("idem-" + UUID.randomUUID(), Instant.now(), Operation.APPLY,
                change("tcp-echo-services.yaml").resources(), true);
        ChangeRequested after = ChangeRequested.of("after-" + UUID.randomUUID(), Instant.now(), Operation.APPLY,
                change("tcp-echo-services.yaml").resources(), true);
        try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers",
                EmbeddedKafka.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            for (ChangeRequested c : List.of(twice, twice, after)) {
                producer.send(new ProducerRecord<>(MeshTopics.CHANGES, MeshTopics.MESH_KEY, EventCodec.encode(c)));
            }
        }
        List<ChangeResult> results = readResults(List.of(twice.changeId(), after.changeId()));
        // Once the change after them is answered, both copies have been read: one answer for the pair.
        assertThat(results).extracting(ChangeResult::changeId).containsExactly(twice.changeId(), after.changeId());
    }

    /** The change id prefix of the test below: its record shares the dead-letter topic with the poison test's. */
    static final String NOT_UTF8 = "not-utf8-";

    @Test
    void aChangeThatIsNotUtf8IsRejectedAndDeadLetteredByteForByte() throws Exception {
        // A dry run, so nothing else in this class sees a new generation; decoded leniently it was ACCEPTED.
        ChangeRequested change = ChangeRequested.of(NOT_UTF8 + UUID.randomUUID(), Instant.now(), Operation.APPLY,
                change("tcp-echo-services.yaml").resources(), true).by("alice");
        byte[] bytes = EventCodec.encode(change).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String json = new String(bytes, java.nio.charset.StandardCharsets.US_ASCII);
        int at = json.indexOf("\"alice\"") + 3;
        bytes[at] = (byte) 0xFF; // "al\xFFce": no UTF-8 sequence starts with 0xFF
        try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers",
                EmbeddedKafka.bootstrapServers()), new StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(MeshTopics.CHANGES, MeshTopics.MESH_KEY, bytes)).get();
        }
        ChangeResult result = readResults(List.of(change.changeId())).get(0);
        assertThat(result.status()).isEqualTo(ChangeStatus.REJECTED);
        assertThat(result.errors().get(0).message()).contains("not UTF-8", "offset " + at);

        Properties p = new Properties();
        p.putAll(EmbeddedKafka.clientConfig());
        p.put("isolation.level", "read_committed");
        p.put("group.id", "dlq-" + UUID.randomUUID());
        p.put("auto.offset.reset", "earliest");
        List<byte[]> dead = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.subscribe(List.of(MeshTopics.CHANGES_DEAD_LETTER));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.value() != null && java.util.Arrays.equals(r.value(), bytes)) {
                        dead.add(r.value());
                    }
                });
                return !dead.isEmpty();
            });
        }
        assertThat(dead).as("the dead-letter copy is the record's own bytes").hasSize(1);
    }

    @Test
    void poisonRecordsAreRejectedDeadLetteredAndTheLoopGoesOn() throws Exception {
        String noOperation = "{\"schema\":\"" + io.kshift.model.event.Schemas.CHANGE_REQUESTED
                + "\",\"changeId\":\"poison-no-op\",\"resources\":[],\"dryRun\":false}";
        String badOperation = "{\"changeId\":\"poison-bad-op\",\"operation\":\"EXPLODE\",\"resources\":[]}";
        String wrongShape = "{\"changeId\":\"poison-shape\",\"operation\":\"APPLY\",\"resources\":\"all\"}";
        ChangeRequested fine = ChangeRequested.of("after-poison-" + UUID.randomUUID(), Instant.now(),
                Operation.APPLY, change("tcp-echo-services.yaml").resources(), true);
        List<String> poisons = new ArrayList<>(java.util.Arrays.asList("not json at all", noOperation, badOperation,
                wrongShape, null));
        io.kshift.testkit.Poison.pills(MeshTopics.MAX_RECORD_BYTES - 64 * 1024).forEach(x -> poisons.add(x.value()));
        for (String poison : poisons) {
            io.kshift.testkit.Bus.send(MeshTopics.CHANGES, MeshTopics.MESH_KEY, poison);
        }
        io.kshift.testkit.Bus.send(MeshTopics.CHANGES, MeshTopics.MESH_KEY, EventCodec.encode(fine));
        List<ChangeResult> results = readResults(List.of("poison-no-op", "poison-bad-op", "poison-shape",
                fine.changeId()));
        assertThat(results).extracting(ChangeResult::changeId).containsExactly("poison-no-op", "poison-bad-op",
                "poison-shape", fine.changeId());
        assertThat(results.subList(0, 3)).allSatisfy(r -> assertThat(r.status()).isEqualTo(ChangeStatus.REJECTED));
        assertThat(results.get(0).errors()).extracting(e -> e.field()).containsExactly("operation");
        assertThat(results.get(1).errors().get(0).message()).contains("not a");
        assertThat(results.get(3).status()).as("the loop went on past the poison").isNotEqualTo(ChangeStatus.REJECTED);

        Properties p = new Properties();
        p.putAll(EmbeddedKafka.clientConfig());
        p.put("isolation.level", "read_committed");
        p.put("group.id", "dlq-" + UUID.randomUUID());
        p.put("auto.offset.reset", "earliest");
        List<ConsumerRecord<String, String>> dead = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(MeshTopics.CHANGES_DEAD_LETTER));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.value() == null || !r.value().contains("\"changeId\":\"" + NOT_UTF8)) { // another test's
                        dead.add(r);
                    }
                });
                return dead.size() >= poisons.size();
            });
        }
        assertThat(dead).extracting(ConsumerRecord::value).containsExactlyElementsOf(poisons);
        assertThat(dead).allSatisfy(r -> assertThat(r.headers().lastHeader("kshift-dlq-reason")).isNotNull());
        assertThat(loop.polling(Duration.ofSeconds(30))).isTrue();
        assertThat(loop.restarts()).isZero();
    }

    /**
     * A change whose records the bus refuses for their size (here: the history topic's limit lowered below a
     * checkpoint's) cannot be committed; deciding it again would fail again, with every later change waiting. It is
     * rejected, saying why, and the loop goes on: the change after it is decided, and nothing was published.
     */
    @Test
    void aChangeTheBusCannotRecordIsRejectedAndTheLoopGoesOn() throws Exception {
        long generation = loop.live().generation();
        // A Service of its own, something to publish whatever the other tests applied before, with random port
        // names so that its record stays over a kilobyte compressed.
        StringBuilder ports = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            ports.append(i == 0 ? "" : ", ").append("{name: p").append(UUID.randomUUID().toString().replace("-", "")
                    .substring(0, 24)).append(", port: ").append(9000 + i).append("}");
        }
        var service = ResourceReader.readBody(("apiVersion: v1\nkind: Service\nmetadata: {name: unrecorded-"
                + UUID.randomUUID().toString().substring(0, 8) + ", namespace: default}\nspec: {ports: [" + ports
                + "], selector: {app: unrecorded}}\n").getBytes(java.nio.charset.StandardCharsets.UTF_8),
                BodyFormat.YAML).resources();
        ChangeRequested tooBig = ChangeRequested.of(UUID.randomUUID().toString(), Instant.now(), Operation.APPLY,
                service, false).by("alice");
        ChangeRequested after = ChangeRequested.of("after-too-big-" + UUID.randomUUID(), Instant.now(),
                Operation.APPLY, change("tcp-echo-services.yaml").resources(), true);
        try (var admin = org.apache.kafka.clients.admin.Admin.create(EmbeddedKafka.clientConfig())) {
            // Under the change's record, over a transaction marker's (the broker must still write the abort).
            historyLimit(admin, "512");
            try {
                io.kshift.testkit.Bus.send(MeshTopics.CHANGES, MeshTopics.MESH_KEY, EventCodec.encode(tooBig));
                List<ChangeResult> refused = readResults(List.of(tooBig.changeId()));
                assertThat(refused).singleElement().satisfies(r -> {
                    assertThat(r.status()).isEqualTo(ChangeStatus.REJECTED);
                    assertThat(r.generation()).isEqualTo(generation);
                    assertThat(r.submittedBy()).isEqualTo("alice");
                    assertThat(r.errors()).singleElement().extracting(m -> m.message()).asString()
                            .contains("its history record (about").contains("is larger than the bus takes")
                            .contains("apply it in smaller parts");
                });
            } finally {
                historyLimit(admin, String.valueOf(MeshTopics.MAX_RECORD_BYTES));
            }
        }
        io.kshift.testkit.Bus.send(MeshTopics.CHANGES, MeshTopics.MESH_KEY, EventCodec.encode(after));
        assertThat(readResults(List.of(after.changeId()))).singleElement()
                .satisfies(r -> assertThat(r.status()).isEqualTo(ChangeStatus.ACCEPTED));
        assertThat(loop.live().generation()).as("nothing was published").isEqualTo(generation);
        assertThat(loop.restarts()).isZero();
        assertThat(loop.polling(Duration.ofSeconds(30))).isTrue();
    }

    private static void historyLimit(org.apache.kafka.clients.admin.Admin admin, String bytes) throws Exception {
        var topic = new org.apache.kafka.common.config.ConfigResource(
                org.apache.kafka.common.config.ConfigResource.Type.TOPIC, MeshTopics.CONFIG_HISTORY);
        admin.incrementalAlterConfigs(Map.of(topic, List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                new org.apache.kafka.clients.admin.ConfigEntry("max.message.bytes", bytes),
                org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get();
        // The broker applies a topic's config from the metadata log: wait until it says it has.
        await().atMost(Duration.ofSeconds(10)).until(() -> bytes.equals(admin.describeConfigs(List.of(topic)).all()
                .get().get(topic).get("max.message.bytes").value()));
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
        List<String> ids = changes.stream().map(ChangeRequested::changeId).toList();
        List<ChangeResult> results = readResults(ids);
        assertThat(results).extracting(ChangeResult::status).containsExactly(ChangeStatus.ACCEPTED,
                ChangeStatus.ACCEPTED, ChangeStatus.ACCEPTED, ChangeStatus.REJECTED);
        assertThat(results).extracting(ChangeResult::generation).containsExactly(1L, 2L, 3L, 3L);
        assertThat(results).extracting(ChangeResult::submittedBy).as("the audit trail: who asked").containsOnly("alice");
        assertThat(summaries(3)).filteredOn(g -> ids.contains(g.changeId())).hasSize(3)
                .extracting(GenerationSummary::submittedBy).containsOnly("alice");
        assertThat(results.get(3).errors()).extracting(e -> e.field())
                .containsExactly("spec.tcp[0].route[0].destination.subset");

        List<ConsumerRecord<String, String>> records = records(MeshTopics.CONFIG, 3).subList(0, 3);
        List<ConsumerRecord<String, String>> history = records(MeshTopics.CONFIG_HISTORY, 3).subList(0, 3);
        await().atMost(Duration.ofSeconds(10)).until(() -> loop.live().generation() == 3);
        MeshSnapshot live = loop.live();
        assertThat(live.changeId()).isEqualTo(changes.get(2).changeId());
        // The first generation a validator writes is a whole snapshot (a checkpoint); a weight change on it is a
        // delta of a few hundred bytes, cumulative since that checkpoint.
        assertThat(records).extracting(ConsumerRecord::key).first().isEqualTo(MeshTopics.MESH_KEY);
        assertThat(records.get(2).key()).isEqualTo(MeshTopics.DELTA_KEY);
        assertThat(records.get(2).value().length()).isLessThan(EventCodec.encode(live).length() / 2);
        // History has the same records, keyed by generation, each saying what it is.
        assertThat(history).extracting(ConsumerRecord::key).containsExactly("1", "2", "3");
        assertThat(history).extracting(ConsumerRecord::value)
                .containsExactlyElementsOf(records.stream().map(ConsumerRecord::value).toList());
        assertThat(history).extracting(r -> new String(r.headers().lastHeader(MeshTopics.SCHEMA_HEADER).value(),
                java.nio.charset.StandardCharsets.UTF_8)).containsExactlyElementsOf(records.stream()
                .map(r -> r.key().equals(MeshTopics.MESH_KEY) ? io.kshift.model.event.Schemas.MESH_SNAPSHOT
                        : io.kshift.model.event.Schemas.SNAPSHOT_DELTA).toList());
        assertThat(history).extracting(r -> MeshTopics.isDelta(r.key(), r.headers())).containsExactlyElementsOf(
                records.stream().map(r -> r.key().equals(MeshTopics.DELTA_KEY)).toList());
        // Read in order, the config topic gives each generation in turn, ending on the live one.
        ConfigFold fold = new ConfigFold();
        for (int i = 0; i < 3; i++) {
            fold.accept(records.get(i).key(), records.get(i).value());
            assertThat(fold.live().generation()).isEqualTo(i + 1);
        }
        assertThat(fold.live()).isEqualTo(live);
        assertThat(fold.live().resources()).hasSizeGreaterThan(0);
        // Compaction keeps the newest record of each key: the newest checkpoint and delta make the live config.
        ConfigFold compacted = new ConfigFold();
        records.stream().filter(r -> r.key().equals(MeshTopics.MESH_KEY)).reduce((x, y) -> y)
                .ifPresent(r -> compacted.accept(r.key(), r.value()));
        compacted.accept(MeshTopics.DELTA_KEY, records.get(2).value());
        assertThat(compacted.live()).isEqualTo(live);
        assertThat(new SnapshotLoader(EmbeddedKafka.bootstrapServers(), MeshTopics.CONFIG_HISTORY).latest())
                .as("the history rebuilds the live config too (a validator's fallback)").isEqualTo(live);
        assertThat(new SnapshotLoader(EmbeddedKafka.bootstrapServers(), MeshTopics.CONFIG).latest())
                .as("a restarted validator rebuilds the same live config").isEqualTo(live);
    }
}
