package io.kshift.config;

import static io.kshift.testkit.Api.asAdmin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import io.kshift.model.event.ChangeRequested;
import io.kshift.model.event.ChangeResult;
import io.kshift.model.event.ChangeStatus;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.event.Operation;
import io.kshift.model.event.ProxyStatus;
import io.kshift.model.event.ResourceAction;
import io.kshift.model.event.Schemas;
import io.kshift.model.event.ValidationMessage;
import io.kshift.testkit.Bus;
import io.kshift.testkit.EmbeddedKafka;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * config-service on a real broker. The test stands where the validator stands: it reads what config-service put
 * on {@code kshift.changes} and answers on {@code kshift.change-results} and {@code kshift.config}.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class ChangeApiTest {
    static final Path SAMPLES = Path.of("..", "samples", "tcp-echo");
    /** Tests share one broker and the live config keeps the highest generation: each test takes newer ones. */
    static final java.util.concurrent.atomic.AtomicLong GENERATIONS = new java.util.concurrent.atomic.AtomicLong(100);
    KafkaConsumer<String, String> changes;
    KafkaProducer<String, String> producer;

    @BeforeEach
    void bus() {
        changes = Bus.tail(MeshTopics.CHANGES);
        producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", EmbeddedKafka.bootstrapServers()),
                new StringSerializer(), new StringSerializer());
    }

    @AfterEach
    void close() {
        changes.close();
        producer.close();
    }

    List<ChangeRequested> drain(int atLeast) {
        List<ChangeRequested> out = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            changes.poll(Duration.ofMillis(200)).forEach(r -> {
                assertThat(r.key()).isEqualTo(MeshTopics.MESH_KEY);
                out.add(EventCodec.decode(r.value(), ChangeRequested.class));
            });
            return out.size() >= atLeast;
        });
        return out;
    }

    void answer(ChangeResult result, MeshSnapshot snapshot) throws Exception {
        if (snapshot != null) {
            producer.send(new ProducerRecord<>(MeshTopics.CONFIG, MeshTopics.MESH_KEY, EventCodec.encode(snapshot)));
        }
        producer.send(new ProducerRecord<>(MeshTopics.CHANGE_RESULTS, result.changeId(), EventCodec.encode(result)))
                .get();
    }

    @Test
    void applyWaitsForTheVerdictAndShowsTheNewConfig() throws Exception {
        byte[] body = Files.readAllBytes(SAMPLES.resolve("tcp-echo-all-v1.yaml"));
        CompletableFuture<Response> call = CompletableFuture.supplyAsync(() -> asAdmin()
                .contentType("application/yaml").body(body)
                .post("/api/v1/apply?wait=10s"));
        ChangeRequested change = drain(1).get(0);
        assertThat(change.operation()).isEqualTo(Operation.APPLY);
        assertThat(change.resources()).extracting(r -> r.key().toString()).containsExactlyInAnyOrder(
                "Gateway default/tcp-echo-gateway", "DestinationRule default/tcp-echo-destination",
                "VirtualService default/tcp-echo");
        long generation = GENERATIONS.addAndGet(10);
        answer(new ChangeResult(Schemas.CHANGE_RESULT, change.changeId(), ChangeStatus.ACCEPTED, generation, false,
                        List.of(new ResourceAction("VirtualService", "default", "tcp-echo", ResourceAction.Action.CREATED)),
                        List.of(), List.of(), Instant.now()),
                new MeshSnapshot(null, generation, change.changeId(), Instant.now(), change.resources()));

        Response response = call.get();
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.jsonPath().getString("status")).isEqualTo("ACCEPTED");
        assertThat(response.jsonPath().getLong("generation")).isEqualTo(generation);

        asAdmin().accept("application/yaml").get("/api/v1/resources/vs/default/tcp-echo")
                .then().statusCode(200).header("X-Kshift-Generation", String.valueOf(generation))
                .body(containsString("subset: v1"));
        asAdmin().get("/api/v1/resources/DestinationRules").then().statusCode(200)
                .body("items.size()", equalTo(1)).body("items[0].spec.subsets.size()", equalTo(2));
        asAdmin().get("/api/v1/resources/nothing").then().statusCode(404);
        asAdmin().get("/api/v1/changes/" + change.changeId()).then().statusCode(200).body("status", equalTo("ACCEPTED"));
    }

    void status(String node, long generation, Instant reportedAt) throws Exception {
        ProxyStatus s = new ProxyStatus(null, node, generation, List.of("tcp:31400"), reportedAt.minusSeconds(60),
                reportedAt, "127.0.0.1:1500" + node.length(), "127.0.0.1", Map.of("zone", "z1"), 0, 0);
        producer.send(new ProducerRecord<>(MeshTopics.PROXY_STATUS, node, EventCodec.encode(s))).get();
    }

    @Test
    void waitsUntilEveryLiveProxyRunsTheNewGeneration() throws Exception {
        String a = "node-a-" + UUID.randomUUID();
        String b = "node-b-" + UUID.randomUUID();
        String gone = "node-gone-" + UUID.randomUUID();
        long generation = GENERATIONS.addAndGet(10);
        status(a, generation - 1, Instant.now());
        status(b, generation - 1, Instant.now());
        status(gone, 1, Instant.now().minusSeconds(600));

        byte[] body = Files.readAllBytes(SAMPLES.resolve("tcp-echo-20-v2.yaml"));
        CompletableFuture<Response> call = CompletableFuture.supplyAsync(() -> asAdmin()
                .contentType("application/yaml").body(body).post("/api/v1/apply?waitFor=synced&timeout=3s"));
        ChangeRequested change = drain(1).get(0);
        answer(new ChangeResult(Schemas.CHANGE_RESULT, change.changeId(), ChangeStatus.ACCEPTED, generation, false,
                List.of(), List.of(), List.of(), Instant.now()),
                new MeshSnapshot(null, generation, change.changeId(), Instant.now(), change.resources()));
        status(a, generation, Instant.now());
        Response lagging = call.get();
        assertThat(lagging.statusCode()).as("accepted, but node b lags: 202").isEqualTo(202);
        assertThat(lagging.jsonPath().getList("sync.lagging", String.class)).contains(b).doesNotContain(a, gone);
        assertThat(lagging.jsonPath().getList("sync.synced", String.class)).contains(a);

        asAdmin().get("/api/v1/proxies").then().statusCode(200)
                .body("proxies.find { it.nodeId == '" + a + "' }.state", equalTo("SYNCED"))
                .body("proxies.find { it.nodeId == '" + a + "' }.labels.zone", equalTo("z1"))
                .body("proxies.find { it.nodeId == '" + a + "' }.dataAddress", equalTo("127.0.0.1"))
                .body("proxies.find { it.nodeId == '" + b + "' }.state", org.hamcrest.Matchers.oneOf("SYNCING", "STALE"))
                .body("proxies.find { it.nodeId == '" + gone + "' }.state", equalTo("NOT_SEEN"));

        CompletableFuture<Response> again = CompletableFuture.supplyAsync(() -> asAdmin()
                .contentType("application/yaml").body(body).post("/api/v1/apply?waitFor=synced&timeout=10s"));
        ChangeRequested unchanged = drain(1).get(0);
        answer(new ChangeResult(Schemas.CHANGE_RESULT, unchanged.changeId(), ChangeStatus.ACCEPTED, generation, false,
                List.of(), List.of(), List.of(), Instant.now()), null);
        status(b, generation, Instant.now());
        assertThat(again.get().statusCode()).as("every live node runs it now").isEqualTo(200);

        producer.send(new ProducerRecord<>(MeshTopics.PROXY_STATUS, b, null)).get();
        await().untilAsserted(() -> asAdmin().get("/api/v1/proxies").then()
                .body("proxies.nodeId", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(b))));
    }

    @Test
    void keepsHistoryAndRollsBackByReplacingTheConfig() throws Exception {
        var allV1 = sample("tcp-echo-all-v1.yaml");
        var split = sample("tcp-echo-20-v2.yaml");
        var config = io.kshift.model.mesh.MeshConfig.of(allV1);
        long g1 = GENERATIONS.addAndGet(10);
        long g2 = g1 + 1;
        for (MeshSnapshot snap : List.of(new MeshSnapshot(null, g1, "c1", Instant.now(), config.all()),
                new MeshSnapshot(null, g2, "c2", Instant.now(), config.apply(split).config().all()))) {
            producer.send(new ProducerRecord<>(MeshTopics.CONFIG_HISTORY, String.valueOf(snap.generation()),
                    EventCodec.encode(snap))).get();
        }
        await().untilAsserted(() -> asAdmin().get("/api/v1/generations").then().statusCode(200)
                .body("generations.find { it.generation == " + g2 + " }.changes[0].action", equalTo("CONFIGURED"))
                .body("generations.find { it.generation == " + g2 + " }.changes[0].name", equalTo("tcp-echo")));
        asAdmin().accept("application/yaml").get("/api/v1/generations/" + g1).then().statusCode(200)
                .body(containsString("subset: v1"), org.hamcrest.Matchers.not(containsString("weight: 20")));
        asAdmin().get("/api/v1/generations/999999999").then().statusCode(404);

        CompletableFuture<Response> call = CompletableFuture.supplyAsync(() -> asAdmin()
                .contentType("application/json").body("{\"to\": " + g1 + "}").post("/api/v1/rollback?wait=10s"));
        ChangeRequested rollback = drain(1).get(0);
        assertThat(rollback.operation()).isEqualTo(Operation.REPLACE);
        assertThat(rollback.submittedBy()).as("the audit trail names who rolled back").isEqualTo("test-admin");
        assertThat(rollback.resources()).isEqualTo(config.all());
        answer(new ChangeResult(Schemas.CHANGE_RESULT, rollback.changeId(), ChangeStatus.ACCEPTED, g2 + 1, false,
                List.of(), List.of(), List.of(), Instant.now()),
                new MeshSnapshot(null, g2 + 1, rollback.changeId(), Instant.now(), rollback.resources()));
        assertThat(call.get().statusCode()).isEqualTo(200);
        asAdmin().contentType("application/json").post("/api/v1/rollback").then().statusCode(400);
    }

    /**
     * History holds what the config topic got: a generation written as a delta is rebuilt on its checkpoint for
     * reading and for rollback; one whose checkpoint is gone from the history is 410, saying so.
     */
    @Test
    void rebuildsAGenerationWrittenAsADeltaOnItsCheckpoint() throws Exception {
        var allV1 = sample("tcp-echo-all-v1.yaml");
        var split = sample("tcp-echo-20-v2.yaml");
        var before = io.kshift.model.mesh.MeshConfig.of(allV1);
        var changed = before.apply(split);
        long g1 = GENERATIONS.addAndGet(10);
        MeshSnapshot checkpoint = new MeshSnapshot(null, g1, "c1", Instant.now(), before.all());
        MeshSnapshot next = new MeshSnapshot(null, g1 + 1, "c2", Instant.now(), changed.config().all());
        io.kshift.model.event.SnapshotDelta delta = io.kshift.model.event.SnapshotDelta.step(before, changed.config(),
                changed.changedKeys(), next);
        // An orphan: a delta whose checkpoint (g1 + 2) the history does not hold.
        io.kshift.model.event.SnapshotDelta orphan = new io.kshift.model.event.SnapshotDelta(null, g1 + 2, g1 + 3,
                "c4", Instant.now(), next.resources().size(), Map.of(), List.of(), List.of());
        history(g1, EventCodec.encode(checkpoint), Schemas.MESH_SNAPSHOT, checkpoint, List.of());
        history(g1 + 1, EventCodec.encode(delta), Schemas.SNAPSHOT_DELTA, next, changed.actions());
        history(g1 + 3, EventCodec.encode(orphan), Schemas.SNAPSHOT_DELTA, orphan.snapshot(changed.config()),
                List.of());
        await().untilAsserted(() -> asAdmin().get("/api/v1/generations").then().statusCode(200)
                .body("generations.generation", org.hamcrest.Matchers.hasItem((int) (g1 + 3))));
        assertThat(EventCodec.encode(delta).length()).isLessThan(EventCodec.encode(next).length());
        asAdmin().accept("application/yaml").get("/api/v1/generations/" + (g1 + 1)).then().statusCode(200)
                .header("X-Kshift-Generation", String.valueOf(g1 + 1))
                .body(containsString("weight: 20"), containsString("subset: v2"));
        asAdmin().get("/api/v1/generations/" + (g1 + 1)).then().statusCode(200)
                .body("changeId", equalTo("c2")).body("resources.size()", equalTo(next.resources().size()));
        asAdmin().get("/api/v1/generations/" + (g1 + 3)).then().statusCode(410)
                .body(containsString("a delta on generation " + (g1 + 2)));

        CompletableFuture<Response> call = CompletableFuture.supplyAsync(() -> asAdmin()
                .contentType("application/json").body("{\"to\": " + (g1 + 1) + "}").post("/api/v1/rollback?wait=10s"));
        ChangeRequested rollback = drain(1).get(0);
        assertThat(rollback.operation()).isEqualTo(Operation.REPLACE);
        assertThat(rollback.resources()).isEqualTo(next.resources());
        answer(new ChangeResult(Schemas.CHANGE_RESULT, rollback.changeId(), ChangeStatus.ACCEPTED, g1 + 4, false,
                List.of(), List.of(), List.of(), Instant.now()),
                new MeshSnapshot(null, g1 + 4, rollback.changeId(), Instant.now(), rollback.resources()));
        assertThat(call.get().statusCode()).isEqualTo(200);
        asAdmin().contentType("application/json").body("{\"to\": " + (g1 + 3) + "}").post("/api/v1/rollback")
                .then().statusCode(410);
        assertThat(changes.poll(Duration.ofMillis(500))).as("nothing reaches the bus").isEmpty();
    }

    private static List<io.kshift.model.resource.Resource> sample(String file) throws Exception {
        return io.kshift.model.codec.ResourceReader.readBody(Files.readAllBytes(SAMPLES.resolve(file)),
                io.kshift.model.codec.BodyFormat.YAML).resources();
    }

    /** Retention took a delta's checkpoint: 410 at once, naming it (not a wait for a record that never comes). */
    @Test
    void aGenerationWhoseCheckpointPassedRetentionIs410() throws Exception {
        var before = io.kshift.model.mesh.MeshConfig.of(sample("tcp-echo-all-v1.yaml"));
        var changed = before.apply(sample("tcp-echo-20-v2.yaml"));
        long g1 = GENERATIONS.addAndGet(10);
        MeshSnapshot checkpoint = new MeshSnapshot(null, g1, "c1", Instant.now(), before.all());
        MeshSnapshot next = new MeshSnapshot(null, g1 + 1, "c2", Instant.now(), changed.config().all());
        history(g1, EventCodec.encode(checkpoint), Schemas.MESH_SNAPSHOT, checkpoint, List.of());
        long delta = history(g1 + 1, EventCodec.encode(io.kshift.model.event.SnapshotDelta.step(before,
                changed.config(), changed.changedKeys(), next)), Schemas.SNAPSHOT_DELTA, next, changed.actions());
        await().untilAsserted(() -> asAdmin().get("/api/v1/generations/" + (g1 + 1)).then().statusCode(200));
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.<String, Object>of("bootstrap.servers",
                EmbeddedKafka.bootstrapServers()))) {
            admin.deleteRecords(Map.of(new org.apache.kafka.common.TopicPartition(MeshTopics.CONFIG_HISTORY, 0),
                    org.apache.kafka.clients.admin.RecordsToDelete.beforeOffset(delta))).all().get();
        }
        asAdmin().get("/api/v1/generations/" + (g1 + 1)).then().statusCode(410)
                .body(containsString("a delta on generation " + g1), containsString("retention"));
        asAdmin().get("/api/v1/generations/" + g1).then().statusCode(410);
    }

    /** Writes a history record as the validator does; its offset. */
    private long history(long generation, String value, String schema, MeshSnapshot snapshot,
                         List<io.kshift.model.event.ResourceAction> actions) throws Exception {
        ProducerRecord<String, String> record = new ProducerRecord<>(MeshTopics.CONFIG_HISTORY,
                String.valueOf(generation), value);
        record.headers().add(io.kshift.model.event.GenerationSummary.HEADER, EventCodec.encode(
                io.kshift.model.event.GenerationSummary.of(snapshot, actions, "test-admin"))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        record.headers().add(MeshTopics.SCHEMA_HEADER, schema.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return producer.send(record).get().offset();
    }

    @Test
    void aConditionalChangeCarriesItsGenerationAndAConflictIs409() throws Exception {
        byte[] body = Files.readAllBytes(SAMPLES.resolve("tcp-echo-all-v1.yaml"));
        // Make sure this instance knows some generation, then name it: the condition travels with the change.
        CompletableFuture<Response> first = CompletableFuture.supplyAsync(() -> asAdmin()
                .contentType("application/yaml").body(body).post("/api/v1/apply?wait=10s"));
        ChangeRequested unconditional = drain(1).get(0);
        assertThat(unconditional.ifGeneration()).isNull();
        long generation = GENERATIONS.addAndGet(10);
        answer(new ChangeResult(Schemas.CHANGE_RESULT, unconditional.changeId(), ChangeStatus.ACCEPTED, generation,
                false, List.of(), List.of(), List.of(), Instant.now()),
                new MeshSnapshot(null, generation, unconditional.changeId(), Instant.now(), unconditional.resources()));
        assertThat(first.get().statusCode()).isEqualTo(200);

        CompletableFuture<Response> call = CompletableFuture.supplyAsync(() -> asAdmin()
                .contentType("application/yaml").body(body).post("/api/v1/apply?wait=10s&ifGeneration=" + generation));
        ChangeRequested change = drain(1).get(0);
        assertThat(change.ifGeneration()).isEqualTo(generation);
        // The validator found another generation live (a change got in first): 409, naming both.
        answer(new ChangeResult(Schemas.CHANGE_RESULT, change.changeId(), ChangeStatus.REJECTED, generation + 1, false,
                List.of(), List.of(ChangeRequested.conflict(generation + 1, generation)), List.of(), Instant.now()),
                null);
        Response conflict = call.get();
        assertThat(conflict.statusCode()).isEqualTo(409);
        assertThat(conflict.jsonPath().getString("errors[0].field")).isEqualTo("ifGeneration");
        assertThat(conflict.jsonPath().getString("errors[0].message")).contains("live generation is " + (generation + 1));

        // A generation this instance already knows is past is refused here, and nothing reaches the bus.
        asAdmin().contentType("application/yaml").body(body).post("/api/v1/apply?ifGeneration=" + (generation - 1))
                .then().statusCode(409).body("errors[0].field", equalTo("ifGeneration"));
        asAdmin().contentType("application/yaml").body(body).post("/api/v1/delete?ifGeneration=" + (generation - 1))
                .then().statusCode(409);
        assertThat(changes.poll(Duration.ofMillis(500))).isEmpty();
    }

    @Test
    void queryParametersAreReadStrictlyAndABadOneChangesNothing() throws Exception {
        byte[] body = Files.readAllBytes(SAMPLES.resolve("tcp-echo-all-v1.yaml"));
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("apply?dryRun=yes", "dryRun must be true");
        refused.put("apply?dryRun", "dryRun must be true");
        refused.put("delete?dryRun=1", "dryRun must be true");
        refused.put("apply?ifGeneration=v5", "ifGeneration must be a generation number, not 'v5'");
        refused.put("delete?ifGeneration=", "ifGeneration must be a generation number");
        // kubectl's flag spelling, or another case, must not make the change for real.
        refused.put("apply?dry-run=true&wait=5s", "unknown query parameter dry-run; this endpoint takes dryRun, "
                + "ifGeneration, wait, waitFor, timeout");
        refused.put("delete?dryrun=true", "unknown query parameter dryrun");
        refused.put("apply?namespace=shop&Wait=5s", "unknown query parameters Wait, namespace");
        refused.forEach((query, why) -> asAdmin().contentType("application/yaml").body(body).post("/api/v1/" + query)
                .then().statusCode(400).body("message", containsString(why)));
        asAdmin().post("/api/v1/rollback?to=latest").then().statusCode(400)
                .body("message", containsString("to must be a generation number, not 'latest'"));
        asAdmin().post("/api/v1/rollback?to=1&dry-run=true").then().statusCode(400)
                .body("message", containsString("unknown query parameter dry-run; this endpoint takes to, dryRun"));
        asAdmin().post("/api/v1/rollback?to=1&dryRun").then().statusCode(400)
                .body("message", containsString("dryRun must be true"));
        assertThat(changes.poll(Duration.ofMillis(500))).as("nothing reached the bus").isEmpty();

        // kubectl's spelling is a dry run, as true is.
        CompletableFuture<Response> call = CompletableFuture.supplyAsync(() -> asAdmin()
                .contentType("application/yaml").body(body).post("/api/v1/apply?dryRun=All&wait=10s"));
        ChangeRequested change = drain(1).get(0);
        assertThat(change.dryRun()).isTrue();
        answer(new ChangeResult(Schemas.CHANGE_RESULT, change.changeId(), ChangeStatus.ACCEPTED, 0, true, List.of(),
                List.of(), List.of(), Instant.now()), null);
        assertThat(call.get().statusCode()).isEqualTo(200);
    }

    @Test
    void aDeleteNamesItsResourcesAsKubectlDeleteDoesAndNeedsNoSpec() throws Exception {
        byte[] bare = """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: tcp-echo, namespace: default}
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: old-cert}
                """.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        CompletableFuture<Response> call = CompletableFuture.supplyAsync(() -> asAdmin()
                .contentType("application/yaml").body(bare).post("/api/v1/delete?wait=10s"));
        ChangeRequested change = drain(1).get(0);
        assertThat(change.operation()).isEqualTo(Operation.DELETE);
        assertThat(change.resources()).extracting(r -> r.key().toString())
                .containsExactly("VirtualService default/tcp-echo", "Secret default/old-cert");
        answer(new ChangeResult(Schemas.CHANGE_RESULT, change.changeId(), ChangeStatus.ACCEPTED, 0, false, List.of(),
                List.of(), List.of(), Instant.now()), null);
        assertThat(call.get().statusCode()).isEqualTo(200);
        asAdmin().contentType("application/yaml").body(bare).post("/api/v1/apply").then().statusCode(422)
                .body(containsString("spec"));
    }

    @Test
    void aRetryWithTheSameIdempotencyKeyGetsTheFirstAnswerAndMakesNoSecondChange() throws Exception {
        byte[] body = Files.readAllBytes(SAMPLES.resolve("tcp-echo-all-v1.yaml"));
        String key = "retry-" + UUID.randomUUID();
        CompletableFuture<Response> call = CompletableFuture.supplyAsync(() -> asAdmin().header("Idempotency-Key", key)
                .contentType("application/yaml").body(body).post("/api/v1/apply?wait=10s"));
        ChangeRequested change = drain(1).get(0);
        assertThat(change.changeId()).startsWith("idem-");
        long generation = GENERATIONS.addAndGet(10);
        answer(new ChangeResult(Schemas.CHANGE_RESULT, change.changeId(), ChangeStatus.ACCEPTED, generation, false,
                List.of(new ResourceAction("VirtualService", "default", "tcp-echo", ResourceAction.Action.CONFIGURED)),
                List.of(), List.of(), Instant.now()),
                new MeshSnapshot(null, generation, change.changeId(), Instant.now(), change.resources()));
        Response first = call.get();
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.header("Idempotent-Replayed")).isNull();

        // The client did not see that answer and retries: the first answer again, and nothing new on the bus.
        Response retry = asAdmin().header("Idempotency-Key", key).contentType("application/yaml").body(body)
                .post("/api/v1/apply?wait=10s");
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(retry.jsonPath().getString("changeId")).isEqualTo(change.changeId());
        assertThat(retry.jsonPath().getLong("generation")).isEqualTo(generation);
        assertThat(retry.jsonPath().getString("resources[0].action")).isEqualTo("CONFIGURED");
        assertThat(changes.poll(Duration.ofMillis(500))).isEmpty();

        // The same key for another request is a client bug, refused; a bad key is refused; another caller's key
        // is theirs (a change of its own).
        asAdmin().header("Idempotency-Key", key).contentType("application/yaml").body(body)
                .post("/api/v1/apply?dryRun=true").then().statusCode(422);
        asAdmin().header("Idempotency-Key", key).contentType("application/yaml").body(body)
                .post("/api/v1/delete").then().statusCode(422);
        asAdmin().header("Idempotency-Key", "has space").contentType("application/yaml").body(body)
                .post("/api/v1/apply").then().statusCode(400);
        assertThat(changes.poll(Duration.ofMillis(500))).isEmpty();
        io.kshift.testkit.Api.as("someone-else", io.kshift.model.auth.Role.ADMIN).header("Idempotency-Key", key)
                .contentType("application/yaml").body(body).post("/api/v1/apply").then().statusCode(202);
        assertThat(drain(1).get(0).changeId()).startsWith("idem-").isNotEqualTo(change.changeId());

        // A key-named change can be guessed: only its submitter (and admins) see it.
        asAdmin().get("/api/v1/changes/" + change.changeId()).then().statusCode(200);
        io.kshift.testkit.Api.as("victor", io.kshift.model.auth.Role.VIEWER).get("/api/v1/changes/"
                + change.changeId()).then().statusCode(404);
        // A keyed change naming a past generation goes to the validator all the same: its first attempt may be
        // what moved the generation.
        asAdmin().header("Idempotency-Key", "past-" + key).contentType("application/yaml").body(body)
                .post("/api/v1/apply?ifGeneration=" + (generation - 1)).then().statusCode(202);
        assertThat(drain(1).get(0).ifGeneration()).isEqualTo(generation - 1);
    }

    @Test
    void aRejectionIs422WithEveryError() throws Exception {
        byte[] body = Files.readAllBytes(SAMPLES.resolve("tcp-echo-undefined-subset.yaml"));
        CompletableFuture<Response> call = CompletableFuture.supplyAsync(() -> asAdmin()
                .contentType("application/yaml").body(body).post("/api/v1/apply?wait=10s"));
        ChangeRequested change = drain(1).get(0);
        answer(new ChangeResult(Schemas.CHANGE_RESULT, change.changeId(), ChangeStatus.REJECTED, 3, false, List.of(),
                List.of(new ValidationMessage("VirtualService default/tcp-echo",
                        "spec.tcp[0].route[0].destination.subset", "subset 'v3' is not defined")), List.of(),
                Instant.now()), null);
        Response response = call.get();
        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(response.jsonPath().getString("errors[0].field"))
                .isEqualTo("spec.tcp[0].route[0].destination.subset");
    }

    @Test
    void withoutWaitTheChangeIsPending() {
        asAdmin().contentType("application/json")
                .body("{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"a\"},"
                        + "\"spec\":{\"ports\":[{\"port\":80}]}}")
                .post("/api/v1/delete?dryRun=true")
                .then().statusCode(202).body("status", equalTo("PENDING")).body("dryRun", equalTo(true));
        ChangeRequested change = drain(1).get(0);
        assertThat(change.operation()).isEqualTo(Operation.DELETE);
        assertThat(change.dryRun()).isTrue();
    }

    /** Announces a body of {@code length} bytes and reads the answer before sending it, as the server does. */
    static String statusLineFor(int length) throws Exception {
        try (var socket = new java.net.Socket("127.0.0.1", io.restassured.RestAssured.port)) {
            socket.getOutputStream().write(("POST /api/v1/apply HTTP/1.1\r\nHost: localhost\r\n"
                    + "Authorization: Bearer " + TestIssuer.admin() + "\r\n"
                    + "Content-Type: application/yaml\r\nContent-Length: " + length + "\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    java.nio.charset.StandardCharsets.US_ASCII)).readLine();
        }
    }

    static byte[] bytes(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void badInputIsAnsweredHereAndNeverReachesTheBus() throws Exception {
        asAdmin().contentType("text/plain").body("x").post("/api/v1/apply").then().statusCode(415);
        asAdmin().contentType("application/yaml").body(bytes("kind: [unclosed\n  - x: y")).post("/api/v1/apply")
                .then().statusCode(400).body("line", greaterThan(0));
        asAdmin().contentType("application/yaml").body(bytes("# nothing\n")).post("/api/v1/apply").then().statusCode(400);
        asAdmin().contentType("application/yaml").body("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: a}
                spec: {hosts: [a], tpc: []}
                """.getBytes(java.nio.charset.StandardCharsets.UTF_8)).post("/api/v1/apply")
                .then().statusCode(422).body("status", equalTo("REJECTED"))
                .body("errors.field", org.hamcrest.Matchers.contains("spec.tpc"));
        String service = "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"a\"},"
                + "\"spec\":{\"ports\":[{\"port\":80}]}}";
        asAdmin().contentType("application/json").body("[" + service + "," + service + "]").post("/api/v1/apply")
                .then().statusCode(422).body("errors[0].field", equalTo("metadata.name"))
                .body("errors[0].message", containsString("more than once"));
        assertThat(statusLineFor(3 * 1024 * 1024)).contains(" 413 ");
        asAdmin().contentType("application/yaml").body(bytes("apiVersion: v1\nkind: Service\nmetadata:\n  name: big\n"
                + "  annotations: {blob: " + "x".repeat(1024 * 1024) + "}\nspec: {ports: [{port: 80}]}\n"))
                .post("/api/v1/apply").then().statusCode(422).body("errors[0].message", containsString("at most"));
        asAdmin().contentType("application/yaml").body(new byte[] {'k', ':', ' ', (byte) 0xC3, (byte) 0x28})
                .post("/api/v1/apply").then().statusCode(400);
        asAdmin().contentType("application/yaml").body(bytes("a: b")).post("/api/v1/apply?wait=soon").then().statusCode(400);
        asAdmin().contentType("application/yaml").body(bytes("apiVersion: v1\nkind: Service\nmetadata: {name: deep}\n"
                + "spec: {ports: [{port: 80}], selector: " + "[".repeat(200) + "]".repeat(200) + "}\n"))
                .post("/api/v1/apply").then().statusCode(400).body("message", containsString("depth"));
        StringBuilder bomb = new StringBuilder("apiVersion: v1\nkind: Service\nmetadata: {name: bomb}\n"
                + "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 9; i++) {
            bomb.append("a").append(i).append(": &a").append(i).append(" [").append(("*a" + (i - 1) + ", ").repeat(9))
                    .append("*a").append(i - 1).append("]\n");
        }
        // Aliases are never expanded but refused where they stand, so a billion laughs is just a bad body.
        asAdmin().contentType("application/yaml").body(bytes(bomb.toString())).post("/api/v1/apply")
                .then().statusCode(400).body("message", containsString("YAML aliases (*a0) are not supported"))
                .body("line", equalTo(5));
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 1500; i++) {
            many.append("---\napiVersion: v1\nkind: Service\nmetadata: {name: s").append(i)
                    .append("}\nspec: {ports: [{port: 80}]}\n");
        }
        asAdmin().contentType("application/yaml").body(bytes(many.toString())).post("/api/v1/apply")
                .then().statusCode(org.hamcrest.Matchers.oneOf(413, 422))
                .body(containsString("1000"));
        assertThat(changes.poll(Duration.ofSeconds(1))).as("nothing was submitted").isEmpty();
    }
}
