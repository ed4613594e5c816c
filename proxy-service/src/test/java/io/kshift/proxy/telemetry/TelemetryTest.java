package io.kshift.proxy.telemetry;

import static io.kshift.testkit.Api.asAdmin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.event.TelemetryReport;
import io.kshift.proxy.SampleSnapshots;
import io.kshift.proxy.config.RouteTableHolder;
import io.kshift.samples.TcpEcho;
import io.kshift.testkit.EmbeddedKafka;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Per-version telemetry: the raw reports a node puts on {@code kshift.telemetry.raw} add up to exactly the
 * connections and bytes the client sent, per version, and {@code /q/metrics} shows the same under Istio's names.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
public class TelemetryTest {
    @Inject
    RouteTableHolder tables;

    @Test
    void rawReportsAddUpToWhatTheClientSent() throws Exception {
        int gatewayPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            gatewayPort = probe.getLocalPort();
        }
        try (TcpEcho v1 = TcpEcho.start("127.0.0.1", 0, "one"); TcpEcho v2 = TcpEcho.start("127.0.0.1", 0, "two");
             KafkaConsumer<String, String> raw = consumer()) {
            long generation = tables.get().generation() + 1;
            new SampleSnapshots(gatewayPort, v1.port(), v2.port()).publish(generation, "tcp-echo-services.yaml",
                    "tcp-echo-all-v1.yaml", "tcp-echo-20-v2.yaml");
            await().atMost(Duration.ofSeconds(20)).until(() -> tables.get().generation() == generation);

            String line = "hello telemetry";
            for (int i = 0; i < 50; i++) {
                try (Socket s = new Socket("127.0.0.1", gatewayPort)) {
                    s.setSoTimeout(5000);
                    s.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
                    new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
                }
            }
            String listener = "tcp:" + gatewayPort;
            Map<String, long[]> seen = new TreeMap<>();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                raw.poll(Duration.ofMillis(200)).forEach(r -> {
                    TelemetryReport report = EventCodec.decode(r.value(), TelemetryReport.class);
                    assertThat(r.key()).isEqualTo(report.namespace() + "/" + report.service());
                    for (TelemetryReport.Entry e : report.entries()) {
                        if (e.listener().equals(listener)) {
                            long[] sums = seen.computeIfAbsent(e.version(), v -> new long[3]);
                            sums[0] += e.connectionsClosed();
                            sums[1] += e.bytesFromClient();
                            sums[2] += e.bytesFromUpstream();
                        }
                    }
                });
                assertThat(seen.keySet()).containsExactly("v1", "v2");
                assertThat(seen.get("v1")[0]).isEqualTo(40);
                assertThat(seen.get("v2")[0]).isEqualTo(10);
            });
            int sent = (line + "\n").length();
            assertThat(seen.get("v1")[1]).as("bytes from the client to v1").isEqualTo(40L * sent);
            assertThat(seen.get("v2")[1]).isEqualTo(10L * sent);
            assertThat(seen.get("v1")[2]).as("bytes back from v1").isEqualTo(40L * ("one " + line + "\n").length());

            String metrics = asAdmin().get("/q/metrics").then().statusCode(200).extract().asString();
            assertThat(metrics.lines().filter(l -> l.startsWith("istio_tcp_connections_opened_total")
                    && l.contains("kshift_listener=\"" + listener + "\"") && l.contains("destination_version=\"v1\"")))
                    .singleElement().satisfies(l -> assertThat(l).endsWith(" 40.0"));
            assertThat(metrics).contains("istio_tcp_received_bytes_total", "istio_tcp_sent_bytes_total");
        }
    }

    public static KafkaConsumer<String, String> consumer() {
        Properties p = new Properties();
        p.putAll(EmbeddedKafka.clientConfig());
        p.put("group.id", "telemetry-test-" + UUID.randomUUID());
        p.put("auto.offset.reset", "latest");
        KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
        c.subscribe(List.of(MeshTopics.TELEMETRY_RAW));
        await().until(() -> {
            c.poll(Duration.ofMillis(100));
            return !c.assignment().isEmpty();
        });
        return c;
    }

    /** A node's view names every namespace's routes and endpoints: a namespace-scoped token is refused it. */
    @Test
    void aNodesViewIsForTokensOfEveryNamespace() {
        asAdmin().get("/api/v1/node").then().statusCode(200);
        io.kshift.testkit.Api.as("carol", io.kshift.model.auth.Role.VIEWER).get("/api/v1/node").then().statusCode(200);
        io.kshift.testkit.Api.as("dave", io.kshift.model.auth.Role.ADMIN, "team-a").get("/api/v1/node").then()
                .statusCode(403);
    }
}
