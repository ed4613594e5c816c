package io.kshift.telemetry.app;

import static io.kshift.testkit.Api.asAdmin;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.event.TelemetryReport;
import io.kshift.telemetry.Reports;
import io.kshift.testkit.Bus;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The packaged telemetry-service: raw reports in, a queryable window out, the live page served. */
@QuarkusIntegrationTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class TelemetryAppIT {
    @Test
    void windowsReportsAndServesThePage() {
        String name = "app-" + UUID.randomUUID().toString().substring(0, 8);
        String service = name + ".default.svc.cluster.local";
        Instant start = Reports.freshWindow();
        for (int second = 1; second <= 3; second++) {
            Instant at = start.plusSeconds(second);
            // The packaged app runs the prod profile: a report more than 1 s ahead of its clock counts "now" (ReportTime),
            // so each is sent once its time has (almost) come, or the three could land in two windows.
            awaitClock(at.minusMillis(500));
            send(Reports.report("proxy-1", at, service, List.of(Reports.tcp("v1", 3, 30, 33, 2))));
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> asAdmin()
                .get("/api/v1/telemetry/default/" + name + "?window=10s").then().statusCode(200)
                .body(containsString("\"connectionsOpened\":9")));
        asAdmin().get("/").then().statusCode(200).body(containsString("kshift — traffic per version"));
        given().get("/q/health/ready").then().statusCode(200);
    }

    static void awaitClock(Instant at) {
        long wait = at.toEpochMilli() - System.currentTimeMillis();
        if (wait > 0) {
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    static void send(TelemetryReport report) {
        Bus.send(MeshTopics.TELEMETRY_RAW, report.namespace() + "/" + report.service(), EventCodec.encode(report));
    }
}
