package io.kshift.telemetry;

import static io.kshift.testkit.Api.as;
import static io.kshift.testkit.Api.asAdmin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kshift.model.auth.Role;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.event.TelemetryWindow;
import io.kshift.testkit.Bus;
import io.kshift.testkit.EmbeddedKafka;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * telemetry-service on a real broker: two nodes' raw reports for one service become one 10 s window on
 * {@code kshift.telemetry}, published once when it closes, with exactly the fleet's counts and bytes per version;
 * the REST query answers the same figures.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class TelemetryServiceTest {

    @Test
    void twoNodesReportsBecomeOneWindowWithTheFleetsExactFigures() throws Exception {
        String service = "svc-" + UUID.randomUUID().toString().substring(0, 8) + ".default.svc.cluster.local";
        Instant start = Reports.freshWindow();
        try (KafkaConsumer<String, String> out = consumer()) {
            // Poison first, on the service's own partition: the stream must skip it and go on.
            List<String> poisons = new ArrayList<>(List.of("{\"entries\":\"all\",\"intervalEnd\":\"yesterday\"}"));
            io.kshift.testkit.Poison.pills(MeshTopics.MAX_RECORD_BYTES - 64 * 1024).forEach(p -> poisons.add(p.value()));
            for (String poison : poisons) {
                Bus.send(MeshTopics.TELEMETRY_RAW, "default/" + service, poison);
            }
            for (int second = 1; second <= 8; second++) {
                Instant end = start.plusSeconds(second);
                for (String node : List.of("proxy-1", "proxy-2")) {
                    send(Reports.report(node, end, service, List.of(Reports.tcp("v1", 4, 40, 44, 3),
                            Reports.tcp("v2", 1, 10, 11, 7))));
                }
            }
            // Later reports (idle: no entries) move the reports' time past the window's end and its grace.
            send(Reports.report("proxy-1", start.plusSeconds(12), service, List.of()));
            List<TelemetryWindow> windows = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                out.poll(Duration.ofMillis(200)).forEach(r -> {
                    TelemetryWindow w = readable(r.value());
                    if (w != null && service.equals(w.service()) && "10s".equals(w.window())) {
                        assertThat(r.key()).isEqualTo("default/" + service);
                        windows.add(w);
                    }
                });
                return !windows.isEmpty();
            });
            assertThat(windows).singleElement().satisfies(w -> {
                assertThat(w.start()).isEqualTo(start);
                assertThat(w.closed()).isTrue();
                assertThat(w.versions()).extracting(v -> v.version() + " " + v.connectionsOpened() + " "
                        + v.bytesFromClient() + " " + v.bytesFromUpstream() + " " + v.sharePercent())
                        .containsExactly("v1 64 640 704 80.0", "v2 16 160 176 20.0");
                assertThat(w.versions().get(0).nodes()).containsExactly("proxy-1", "proxy-2");
            });

            List<Map<String, Object>> queried = asAdmin().get("/api/v1/telemetry/default/" + service + "?window=10s&last=6")
                    .then().statusCode(200).extract().jsonPath().getList("$");
            assertThat(queried).anySatisfy(w -> {
                assertThat(w.get("start").toString()).isEqualTo(start.toString());
                assertThat(w.get("versions").toString()).contains("connectionsOpened=64", "connectionsOpened=16");
            });
            asAdmin().get("/api/v1/telemetry/default/" + service + "?window=5s").then().statusCode(400);
            asAdmin().get("/api/v1/telemetry/default/nothing-here").then().statusCode(404);
            // A token limited to other namespaces is told nothing about default's services, not even that they exist.
            as("tess", Role.VIEWER, "default").get("/api/v1/telemetry/default/" + service).then().statusCode(200);
            as("tess", Role.VIEWER, "team-a").get("/api/v1/telemetry/default/" + service).then().statusCode(404);
            as("tess", Role.VIEWER, "team-a").get("/api/v1/telemetry/default/" + service + "/stream")
                    .then().statusCode(404);
            as("tess", Role.VIEWER, "team-a").get("/api/v1/telemetry-ui/context/default/" + service)
                    .then().statusCode(404);
        }
    }

    /** A window, or null for a record that is none (other tests put poison on the topic). */
    private static TelemetryWindow readable(String json) {
        try {
            return EventCodec.decode(json, TelemetryWindow.class);
        } catch (RuntimeException e) {
            return null;
        }
    }

    @io.quarkus.test.common.http.TestHTTPResource("/")
    java.net.URL base;

    @Test
    void theStreamDeliversEachWindowAsItCloses() throws Exception {
        String name = "sse-" + UUID.randomUUID().toString().substring(0, 8);
        String service = name + ".default.svc.cluster.local";
        java.util.concurrent.CopyOnWriteArrayList<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        var call = http.sendAsync(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base
                        + "api/v1/telemetry/default/" + name + "/stream?window=10s"))
                        .header("Authorization", "Bearer " + TestIssuer.token("stream-viewer", Role.VIEWER)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofLines());
        var response = call.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("text/event-stream"));
        Thread reader = new Thread(() -> response.body().filter(l -> l.startsWith("data:")).forEach(events::add));
        reader.setDaemon(true);
        reader.start();

        // Poison on the windows topic the stream reads: skipped, the real window still arrives.
        io.kshift.testkit.Poison.pills(MeshTopics.MAX_RECORD_BYTES - 64 * 1024)
                .forEach(p -> Bus.send(MeshTopics.TELEMETRY, "default/" + service, p.value()));
        Instant start = Reports.freshWindow();
        send(Reports.report("proxy-1", start.plusSeconds(2), service, List.of(Reports.tcp("v1", 7, 70, 77, 1))));
        send(Reports.report("proxy-1", start.plusSeconds(12), service, List.of()));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(events).singleElement()
                .satisfies(e -> assertThat(e).contains("\"service\":\"" + service + "\"", "\"connectionsOpened\":7",
                        "\"closed\":true")));
    }

    @Test
    void aReportArrivingAfterItsWindowClosedIsCountedInTheNextInsteadOfLost() {
        String service = "late-" + UUID.randomUUID().toString().substring(0, 8) + ".default.svc.cluster.local";
        Instant start = Reports.freshWindow();
        try (KafkaConsumer<String, String> out = consumer()) {
            send(Reports.report("proxy-1", start.plusSeconds(2), service, List.of(Reports.tcp("v1", 7, 70, 77, 1))));
            send(Reports.report("proxy-1", start.plusSeconds(12), service, List.of()));
            List<TelemetryWindow> windows = new ArrayList<>();
            java.util.function.Supplier<Boolean> polled = () -> {
                out.poll(Duration.ofMillis(200)).forEach(r -> {
                    TelemetryWindow w = readable(r.value());
                    if (w != null && service.equals(w.service()) && "10s".equals(w.window())) {
                        windows.add(w);
                    }
                });
                return windows.size() == 2;
            };
            await().atMost(Duration.ofSeconds(30)).until(() -> polled.get() || windows.size() == 1);
            // proxy-2's report for the first window, its clock 5 s behind: that window has been published.
            send(Reports.report("proxy-2", start.plusSeconds(5), service, List.of(Reports.tcp("v1", 3, 30, 33, 1))));
            send(Reports.report("proxy-1", start.plusSeconds(22), service, List.of()));
            await().atMost(Duration.ofSeconds(30)).until(polled::get);
            assertThat(windows).extracting(w -> w.start().toString() + " " + w.versions().get(0).connectionsOpened()
                    + " " + w.versions().get(0).nodes()).containsExactly(start + " 7 [proxy-1]",
                    start.plusSeconds(10) + " 3 [proxy-2]");
        }
    }

    static void send(io.kshift.model.event.TelemetryReport report) {
        Bus.send(MeshTopics.TELEMETRY_RAW, report.namespace() + "/" + report.service(), EventCodec.encode(report));
    }

    static KafkaConsumer<String, String> consumer() {
        Properties p = new Properties();
        p.putAll(EmbeddedKafka.clientConfig());
        p.put("group.id", "telemetry-windows-" + UUID.randomUUID());
        p.put("auto.offset.reset", "earliest");
        p.put("isolation.level", "read_committed");
        KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
        c.subscribe(List.of(MeshTopics.TELEMETRY));
        return c;
    }
}
