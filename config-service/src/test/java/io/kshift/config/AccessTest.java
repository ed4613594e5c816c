package io.kshift.config;

import static io.kshift.testkit.Api.as;
import static io.kshift.testkit.Api.asAdmin;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.kshift.model.auth.Role;
import io.kshift.model.event.ChangeRequested;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshTopics;
import io.kshift.testkit.Bus;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Who may do what on config-service, through real HTTP: no token or a forged one is 401, a token's role and
 * namespaces decide the rest (403 names what was missing), a refused change never reaches {@code kshift.changes},
 * and an accepted one carries its submitter. Probes answer without a token.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class AccessTest {
    KafkaConsumer<String, String> changes;

    @BeforeEach
    void bus() {
        changes = Bus.tail(MeshTopics.CHANGES);
    }

    @AfterEach
    void close() {
        changes.close();
    }

    @Test
    void noTokenOrAForgedOneIsUnauthorizedButProbesAnswer() {
        given().get("/api/v1/resources").then().statusCode(401);
        given().contentType("application/yaml").body(service("default", "x")).post("/api/v1/apply").then()
                .statusCode(401);
        given().post("/api/v1/rollback?to=1").then().statusCode(401);
        as(TestIssuer.forged("mallory", Role.ADMIN)).get("/api/v1/resources").then().statusCode(401);
        given().header("Authorization", "Bearer not-a-jwt").get("/api/v1/proxies").then().statusCode(401);
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void rolesDecideAndTheAnswerSaysWhatWasMissing() {
        as("victor", Role.VIEWER).get("/api/v1/resources").then().statusCode(200);
        as("victor", Role.VIEWER).get("/api/v1/generations").then().statusCode(200);
        as("victor", Role.VIEWER).contentType("application/yaml").body(service("default", "x"))
                .post("/api/v1/apply").then().statusCode(403)
                .body("message", containsString("needs role editor")).body("message", containsString("victor"))
                .body("needed", equalTo("editor"));
        as("eddie", Role.EDITOR).contentType("application/json").body("{\"to\": 1}").post("/api/v1/rollback")
                .then().statusCode(403).body("message", containsString("needs role admin"));
        as(TestIssuer.token("nobody", null)).get("/api/v1/resources").then().statusCode(403)
                .body("message", containsString("no kshift role"));
        // The registry adapter's subject is reserved: the validator lets its deletions empty a route.
        as(io.kshift.model.bus.MeshAcls.REGISTRY_SUBJECT, Role.ADMIN).contentType("application/yaml")
                .body(service("default", "x")).post("/api/v1/apply").then().statusCode(403)
                .body("message", containsString("reserved"));
    }

    @Test
    void anEditorChangesOnlyItsNamespacesAndTheChangeNamesWhoAsked() {
        as("alice", Role.EDITOR, "team-a").contentType("application/yaml")
                .body(concat(service("team-a", "ok"), service("team-b", "theirs"), service("default", "shared")))
                .post("/api/v1/apply").then().statusCode(403)
                .body("errors", hasSize(2))
                .body("errors[0].resource", equalTo("Service team-b/theirs"))
                .body("errors[0].field", equalTo("metadata.namespace"))
                .body("errors[0].message", containsString("may change namespaces [team-a], not team-b"))
                .body("errors[1].resource", equalTo("Service default/shared"));

        as("alice", Role.EDITOR, "team-a").contentType("application/yaml").body(service("team-a", "ok"))
                .post("/api/v1/apply").then().statusCode(202);
        List<ChangeRequested> sent = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            changes.poll(Duration.ofMillis(200)).forEach(r -> sent.add(EventCodec.decode(r.value(),
                    ChangeRequested.class)));
            return !sent.isEmpty();
        });
        // The refused request came first and never reached the bus: the first change on it is the allowed one.
        assertThat(sent.get(0).resources()).extracting(r -> r.key().toString()).containsExactly("Service team-a/ok");
        assertThat(sent.get(0).submittedBy()).isEqualTo("alice");
    }

    @Test
    void aTokenLimitedToNamespacesReadsOnlyThose() {
        String yaml = """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: team-a}
                spec: {selector: {app: web}, ports: [{name: http, port: 80}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: db, namespace: team-b}
                spec: {selector: {app: db}, ports: [{name: tcp, port: 5432}]}
                """;
        long generation = ChangeApiTest.GENERATIONS.addAndGet(10);
        Bus.send(MeshTopics.CONFIG, MeshTopics.MESH_KEY, EventCodec.encode(new io.kshift.model.event.MeshSnapshot(
                null, generation, "c-" + generation, java.time.Instant.now(),
                io.kshift.model.mesh.SyntheticMesh.parse(yaml))));
        await().atMost(Duration.ofSeconds(20)).until(() -> asAdmin().get("/api/v1/resources")
                .header("X-Kshift-Generation").equals(String.valueOf(generation)));

        as("victor", Role.VIEWER).get("/api/v1/resources/services").then().statusCode(200)
                .body("items", hasSize(2));
        as("tess", Role.VIEWER, "team-a").get("/api/v1/resources/services").then().statusCode(200)
                .body("items", hasSize(1)).body("items[0].metadata.name", equalTo("web"));
        as("tess", Role.VIEWER, "team-a").get("/api/v1/resources").then().statusCode(200)
                .body("items", hasSize(1));
        as("tess", Role.VIEWER, "team-a").get("/api/v1/resources/svc/team-a/web").then().statusCode(200);
        // Another namespace's resource is as absent as one that does not exist: its existence is not told either.
        as("tess", Role.VIEWER, "team-a").get("/api/v1/resources/svc/team-b/db").then().statusCode(404);
        as("alice", Role.EDITOR, "team-a").get("/api/v1/resources/svc/team-b/db").then().statusCode(404);
        asAdmin().get("/api/v1/resources/svc/team-b/db").then().statusCode(200);
    }

    /**
     * History and verdicts follow the same rule as resources: a token limited to team-a sees the generations that
     * changed team-a (only those changes), team-a's part of a generation's config, and verdicts of changes that
     * touch team-a alone, or that it submitted itself.
     */
    @Test
    void aTokenLimitedToNamespacesSeesOnlyThoseInHistoryAndVerdicts() {
        long g = ChangeApiTest.GENERATIONS.addAndGet(10);
        List<io.kshift.model.resource.Resource> config = io.kshift.model.mesh.SyntheticMesh.parse(
                new String(concat(service("team-a", "web"), service("team-b", "db")),
                        java.nio.charset.StandardCharsets.UTF_8));
        var a = new io.kshift.model.event.ResourceAction("Service", "team-a", "web",
                io.kshift.model.event.ResourceAction.Action.CREATED);
        var b = new io.kshift.model.event.ResourceAction("Service", "team-b", "db",
                io.kshift.model.event.ResourceAction.Action.CREATED);
        history(g, config, List.of(a, b), "admin");
        history(g + 1, config.subList(1, 2), List.of(new io.kshift.model.event.ResourceAction("Service", "team-a",
                "web", io.kshift.model.event.ResourceAction.Action.DELETED)), "admin");
        history(g + 2, config, List.of(a), "admin");
        String onlyB = "only-b-" + g;
        String both = "both-" + g;
        String mine = "mine-" + g;
        result(onlyB, List.of(b), "bob");
        result(both, List.of(a, b), "bob");
        result(mine, List.of(b), "tess");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> asAdmin().get("/api/v1/changes/" + mine)
                .then().statusCode(200));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> asAdmin().get("/api/v1/generations").then()
                .body("generations.find { it.generation == " + (g + 2) + " }.changes", hasSize(1)));

        asAdmin().get("/api/v1/generations").then()
                .body("generations.find { it.generation == " + g + " }.changes", hasSize(2));
        as("tess", Role.VIEWER, "team-b").get("/api/v1/generations").then()
                .body("generations.find { it.generation == " + g + " }.changes", hasSize(1))
                .body("generations.find { it.generation == " + g + " }.changes[0].name", equalTo("db"))
                .body("generations.find { it.generation == " + (g + 1) + " }", org.hamcrest.Matchers.nullValue())
                .body("generations.find { it.generation == " + (g + 2) + " }", org.hamcrest.Matchers.nullValue());
        as("tess", Role.VIEWER, "team-b").get("/api/v1/generations/" + g).then().statusCode(200)
                .body("resources", hasSize(1)).body("resources[0].metadata.name", equalTo("db"));
        asAdmin().get("/api/v1/generations/" + g).then().statusCode(200).body("resources", hasSize(2));

        as("tess", Role.VIEWER, "team-b").get("/api/v1/changes/" + onlyB).then().statusCode(200);
        as("tess", Role.VIEWER, "team-a").get("/api/v1/changes/" + onlyB).then().statusCode(404);
        as("tess", Role.VIEWER, "team-b").get("/api/v1/changes/" + both).then().statusCode(404);
        as("victor", Role.VIEWER).get("/api/v1/changes/" + both).then().statusCode(200);
        as("tess", Role.VIEWER, "team-a").get("/api/v1/changes/" + mine).then().statusCode(200);
    }

    private static void history(long generation, List<io.kshift.model.resource.Resource> resources,
                                List<io.kshift.model.event.ResourceAction> changes, String by) {
        var snapshot = new io.kshift.model.event.MeshSnapshot(null, generation, "c-" + generation,
                java.time.Instant.now(), resources);
        Bus.send(MeshTopics.CONFIG_HISTORY, String.valueOf(generation), EventCodec.encode(snapshot), java.util.Map.of(
                io.kshift.model.event.GenerationSummary.HEADER, EventCodec.encode(
                        io.kshift.model.event.GenerationSummary.of(snapshot, changes, by))));
    }

    private static void result(String changeId, List<io.kshift.model.event.ResourceAction> resources, String by) {
        var result = new io.kshift.model.event.ChangeResult(null, changeId, io.kshift.model.event.ChangeStatus.ACCEPTED,
                0, false, resources, List.of(), List.of(), java.time.Instant.now(), 1, by);
        Bus.send(MeshTopics.CHANGE_RESULTS, changeId, EventCodec.encode(result));
    }

    @Test
    void rollbackRefusesWhatAPageCouldPostCrossSite() {
        asAdmin().contentType("application/x-www-form-urlencoded").formParam("to", "1").post("/api/v1/rollback")
                .then().statusCode(415).body("message", containsString("application/json"));
        asAdmin().contentType("text/plain").body("{\"to\": 1}").post("/api/v1/rollback").then().statusCode(415);
        asAdmin().contentType("multipart/form-data").multiPart("to", "1").post("/api/v1/rollback").then()
                .statusCode(415);
        asAdmin().contentType("application/json").body("{\"to\": \"one\"}").post("/api/v1/rollback").then()
                .statusCode(400);
        asAdmin().contentType("application/json").body("{\"to\": 987654321}").post("/api/v1/rollback").then()
                .statusCode(404).body("message", containsString("987654321"));
        asAdmin().contentType("application/json").post("/api/v1/rollback?to=987654322").then().statusCode(404)
                .body("message", containsString("987654322"));
    }

    private static byte[] concat(byte[]... documents) {
        StringBuilder yaml = new StringBuilder();
        for (byte[] d : documents) {
            yaml.append("---\n").append(new String(d, java.nio.charset.StandardCharsets.UTF_8));
        }
        return yaml.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static byte[] service(String namespace, String name) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: %s, namespace: %s}
                spec:
                  ports: [{name: tcp, port: 9000}]
                """.formatted(name, namespace).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
