package io.kshift.validator.app;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.event.ChangeRequested;
import io.kshift.model.event.ChangeResult;
import io.kshift.model.event.ChangeStatus;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.event.Operation;
import io.kshift.testkit.Bus;
import io.kshift.testkit.KafkaBrokerResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The packaged validator: a change on the bus comes back as a verdict and a snapshot; health says it is active. */
@QuarkusIntegrationTest
@WithTestResource(KafkaBrokerResource.class)
class ValidatorAppIT {
    @Test
    void decidesChangesFromTheBus() throws Exception {
        var parsed = ResourceReader.readBody(Files.readAllBytes(Path.of("..", "samples", "tcp-echo",
                "tcp-echo-services.yaml")), BodyFormat.YAML);
        String id = UUID.randomUUID().toString();
        Bus.send(MeshTopics.CHANGES, MeshTopics.MESH_KEY, EventCodec.encode(
                ChangeRequested.of(id, Instant.now(), Operation.APPLY, parsed.resources(), false)));

        var results = Bus.readUntil(MeshTopics.CHANGE_RESULTS, rs -> rs.stream().anyMatch(r -> r.key().equals(id)));
        ChangeResult result = EventCodec.decode(results.stream().filter(r -> r.key().equals(id)).findFirst()
                .orElseThrow().value(), ChangeResult.class);
        assertThat(result.status()).isEqualTo(ChangeStatus.ACCEPTED);
        var snapshots = Bus.readUntil(MeshTopics.CONFIG, rs -> !rs.isEmpty());
        var fold = new io.kshift.model.event.ConfigFold();
        snapshots.forEach(r -> fold.accept(r.key(), r.value()));
        assertThat(fold.live().changeId()).isEqualTo(id);
        given().get("/q/health/ready").then().statusCode(200).body("checks[0].data.active", equalTo(true));
    }
}
