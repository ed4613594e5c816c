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

    /** A Secret's private key never reaches Kafka in the clear: sealed with the fleet key, or refused. */
    @Test
    void sealsSecretsPrivateKeysBeforeTheBus() throws Exception {
        var pki = io.kshift.samples.tls.DemoPki.create("config-it");
        var issued = pki.issue("web.example.com");
        var b64 = java.util.Base64.getEncoder();
        String secret = """
                apiVersion: v1
                kind: Secret
                metadata: {name: web-cert}
                type: kubernetes.io/tls
                data: {tls.crt: %s, tls.key: %s}
                """;
        String key = b64.encodeToString(issued.keyBytes());
        String id = asAdmin().contentType("application/yaml")
                .body(secret.formatted(b64.encodeToString(issued.certBytes()), key).getBytes())
                .post("/api/v1/apply").then().statusCode(202).extract().path("changeId");
        var changes = Bus.readUntil(MeshTopics.CHANGES, rs -> rs.stream().anyMatch(r -> r.value().contains(id)));
        String record = changes.stream().filter(r -> r.value().contains(id)).findFirst().orElseThrow().value();
        assertThat(record).doesNotContain(key).doesNotContain(key.substring(0, 40)).doesNotContain("PRIVATE KEY");
        ChangeRequested change = EventCodec.decode(record, ChangeRequested.class);
        String sealed = change.resources().get(0).specAs(io.kshift.model.secret.SecretSpec.class).data()
                .get("tls.key");
        assertThat(new String(io.kshift.testkit.TestIssuer.fleetKeys().open("default/web-cert/tls.key", sealed),
                java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo(issued.keyPem());

        // Another certificate's key is refused at the door, naming the entry; nothing goes onto the bus.
        String other = b64.encodeToString(pki.issue("other.example.com").keyBytes());
        asAdmin().contentType("application/yaml")
                .body(secret.formatted(b64.encodeToString(issued.certBytes()), other).getBytes())
                .post("/api/v1/apply").then().statusCode(422)
                .body("errors[0].field", equalTo("data.tls.key"))
                .body("errors[0].message", org.hamcrest.Matchers.startsWith("is not the private key of the"
                        + " certificate"));
    }
}
