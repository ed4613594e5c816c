package io.kshift.config;

import static io.kshift.testkit.Api.asAdmin;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.kshift.model.event.ChangeResult;
import io.kshift.model.event.ChangeStatus;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.GenerationSummary;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.event.ProxyStatus;
import io.kshift.model.event.Schemas;
import io.kshift.testkit.Bus;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.kshift.testkit.Poison;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every topic config-service reads gets every kind of poison record (and records that parse but lack what a reader
 * needs) through the real broker; then ordinary events on each must still be served: nothing stopped reading,
 * nothing unusable was kept.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class PoisonRecordsTest {
    static final int OVERSIZED = MeshTopics.MAX_RECORD_BYTES - 64 * 1024;

    @Test
    void poisonOnEveryTopicIsSkippedAndTheNextEventsAreServed() {
        for (Poison.Pill pill : Poison.pills(OVERSIZED)) {
            Bus.send(MeshTopics.CHANGE_RESULTS, "poison", pill.value());
            Bus.send(MeshTopics.CONFIG, MeshTopics.MESH_KEY, pill.value());
            Bus.send(MeshTopics.CONFIG_HISTORY, "poison", pill.value());
            Bus.send(MeshTopics.PROXY_STATUS, "ghost", pill.value());
            if (pill.value() != null) {
                Bus.send(MeshTopics.CONFIG, MeshTopics.MESH_KEY, "{}", Map.of(GenerationSummary.HEADER, pill.value()));
                Bus.send(MeshTopics.CONFIG_HISTORY, "poison", "{}", Map.of(GenerationSummary.HEADER, pill.value()));
            }
        }
        // They parse, but a reader would trip over what is missing (no node id, no report time, no change id...).
        Bus.send(MeshTopics.PROXY_STATUS, "ghost", "{\"nodeId\": \"ghost\", \"generation\": 1}");
        Bus.send(MeshTopics.PROXY_STATUS, "ghost", "{\"nodeId\": \"ghost\", \"reportedAt\": \"2026-01-01T00:00:00Z\"}");
        Bus.send(MeshTopics.CHANGE_RESULTS, "no-id", "{\"status\": \"ACCEPTED\", \"generation\": 3}");
        Bus.send(MeshTopics.CHANGE_RESULTS, "no-status", "{\"changeId\": \"no-status\", \"generation\": 3}");
        Bus.send(MeshTopics.CONFIG_HISTORY, "poison", "{}", Map.of(GenerationSummary.HEADER, "{\"generation\": 7}"));
        Bus.send(MeshTopics.CONFIG, MeshTopics.MESH_KEY, "{}", Map.of(GenerationSummary.HEADER,
                "{\"generation\": -4, \"createdAt\": \"2026-01-01T00:00:00Z\"}"));

        long generation = ChangeApiTest.GENERATIONS.addAndGet(10);
        Instant now = Instant.now();
        String changeId = "after-poison-" + generation;
        MeshSnapshot snapshot = new MeshSnapshot(Schemas.MESH_SNAPSHOT, generation, changeId, now, List.of());
        Bus.send(MeshTopics.CHANGE_RESULTS, changeId, EventCodec.encode(new ChangeResult(Schemas.CHANGE_RESULT,
                changeId, ChangeStatus.ACCEPTED, generation, false, List.of(), List.of(), List.of(), now)));
        Bus.send(MeshTopics.CONFIG, MeshTopics.MESH_KEY, EventCodec.encode(snapshot));
        Bus.send(MeshTopics.CONFIG_HISTORY, String.valueOf(generation), EventCodec.encode(snapshot),
                Map.of(GenerationSummary.HEADER, EventCodec.encode(GenerationSummary.of(snapshot, List.of(), null))));
        Bus.send(MeshTopics.PROXY_STATUS, "after-poison", EventCodec.encode(new ProxyStatus(Schemas.PROXY_STATUS,
                "after-poison", generation, List.of(), now, now, "127.0.0.1:1")));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            asAdmin().get("/api/v1/changes/" + changeId).then().statusCode(200).body("status", equalTo("ACCEPTED"));
            asAdmin().get("/api/v1/resources").then().statusCode(200)
                    .header("X-Kshift-Generation", String.valueOf(generation));
            JsonPath proxies = asAdmin().get("/api/v1/proxies").then().statusCode(200).extract().jsonPath();
            assertThat(proxies.getLong("generation")).isEqualTo(generation);
            assertThat(proxies.getList("proxies.nodeId", String.class)).contains("after-poison")
                    .doesNotContain("ghost");
            JsonPath generations = asAdmin().get("/api/v1/generations").then().statusCode(200).extract().jsonPath();
            assertThat(generations.getList("generations.generation", Long.class)).contains(generation)
                    .doesNotContain(7L).allMatch(g -> g > 0);
        });
        asAdmin().get("/api/v1/changes/no-status").then().statusCode(404);
        given().get("/q/health/ready").then().statusCode(200);
        // Leave no node behind that other tests waiting for "synced" would count.
        Bus.send(MeshTopics.PROXY_STATUS, "after-poison", null);
        await().atMost(Duration.ofSeconds(10)).until(() -> !asAdmin().get("/api/v1/proxies").jsonPath()
                .getList("proxies.nodeId", String.class).contains("after-poison"));
    }
}
