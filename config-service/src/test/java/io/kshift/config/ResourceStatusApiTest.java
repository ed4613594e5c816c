package io.kshift.config;

import static io.kshift.testkit.Api.asAdmin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.mesh.SyntheticMesh;
import io.kshift.model.status.StatusNote;
import io.kshift.testkit.Bus;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code GET /api/v1/resources} shows each resource's status from the validator's notes in the live snapshot. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class ResourceStatusApiTest {
    @Test
    void resourcesAreShownWithTheirStatusConditions() {
        long generation = ChangeApiTest.GENERATIONS.addAndGet(10);
        Bus.send(MeshTopics.CONFIG, MeshTopics.MESH_KEY, EventCodec.encode(new MeshSnapshot(null, generation,
                "c-" + generation, Instant.now(), Map.of("HTTPRoute default/waiting", List.of(
                        StatusNote.noMatchingParent("spec.parentRefs[0].name", "Gateway default/public does not"
                                + " exist yet"))), SyntheticMesh.parse("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: waiting}
                spec:
                  parentRefs: [{name: public}]
                  rules: [{backendRefs: [{name: web, port: 8000}]}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec: {ports: [{name: http, port: 8000}]}
                """))));
        await().atMost(Duration.ofSeconds(20)).until(() -> asAdmin().get("/api/v1/resources")
                .header("X-Kshift-Generation").equals(String.valueOf(generation)));

        String yaml = asAdmin().accept("application/yaml").get("/api/v1/resources/httproutes/default/waiting")
                .then().statusCode(200).extract().asString();
        assertThat(yaml).startsWith("apiVersion: gateway.networking.k8s.io/v1").contains("""
                status:
                  parents:
                  - parentRef:
                      name: public
                    controllerName: kshift.io/gateway-controller
                    conditions:
                    - type: Accepted
                      status: "False"
                      reason: NoMatchingParent
                """);
        var list = asAdmin().get("/api/v1/resources/services").then().statusCode(200).extract().jsonPath();
        assertThat(list.getList("items[0].status.conditions.type")).containsExactly("Accepted", "ResolvedRefs");
        assertThat(list.getList("items[0].status.conditions.status")).containsExactly("True", "True");
        assertThat(list.getLong("items[0].status.conditions[0].observedGeneration")).isEqualTo(generation);
    }
}
