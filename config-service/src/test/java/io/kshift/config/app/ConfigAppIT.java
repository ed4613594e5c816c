package io.kshift.config.app;

import static io.kshift.testkit.Api.asAdmin;
import static io.restassured.RestAssured.given;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.kshift.model.event.ChangeRequested;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshTopics;
import io.kshift.testkit.Bus;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The packaged config-service: bad input answered at the door, a good change on the bus. */
@QuarkusIntegrationTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class ConfigAppIT {
    @Test
    void takesChangesAndRefusesBadInput() throws Exception {
        given().get("/api/v1/resources").then().statusCode(401);
        asAdmin().contentType("text/plain").body("x").post("/api/v1/apply").then().statusCode(415);
        asAdmin().contentType("application/yaml").body("a: [".getBytes()).post("/api/v1/apply").then().statusCode(400);

        String id = asAdmin().contentType("application/yaml")
                .body(Files.readAllBytes(Path.of("..", "samples", "tcp-echo", "tcp-echo-20-v2.yaml")))
                .post("/api/v1/apply").then().statusCode(202).body("status", equalTo("PENDING"))
                .extract().path("changeId");
        var changes = Bus.readUntil(MeshTopics.CHANGES, rs -> !rs.isEmpty());
        ChangeRequested change = EventCodec.decode(changes.get(changes.size() - 1).value(), ChangeRequested.class);
        assertThat(change.changeId()).isEqualTo(id);
        assertThat(change.resources()).singleElement().satisfies(r -> assertThat(r.name()).isEqualTo("tcp-echo"));
        given().get("/q/health/ready").then().statusCode(200);
    }
}
