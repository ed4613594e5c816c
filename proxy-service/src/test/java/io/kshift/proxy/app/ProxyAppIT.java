package io.kshift.proxy.app;

import static io.kshift.testkit.Api.asAdmin;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kshift.proxy.SampleSnapshots;
import io.kshift.samples.TcpEcho;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The packaged proxy node: follows a snapshot on the bus, listens where the Gateway says, routes to v1, warms up. */
@QuarkusIntegrationTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class ProxyAppIT {
    @Test
    void servesTheGatewayPortFromTheBus() throws Exception {
        given().get("/api/v1/node").then().statusCode(401);
        try (TcpEcho v1 = TcpEcho.start("127.0.0.1", 0, "one"); TcpEcho v2 = TcpEcho.start("127.0.0.1", 0, "two")) {
            int gatewayPort;
            try (ServerSocket probe = new ServerSocket(0)) {
                gatewayPort = probe.getLocalPort();
            }
            new SampleSnapshots(gatewayPort, v1.port(), v2.port())
                    .publish(1, "tcp-echo-services.yaml", "tcp-echo-all-v1.yaml");
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    asAdmin().get("/api/v1/node").jsonPath().getLong("status.generation") == 1);
            try (Socket s = new Socket("127.0.0.1", gatewayPort)) {
                s.setSoTimeout(5000);
                s.getOutputStream().write("hi\n".getBytes(StandardCharsets.UTF_8));
                assertThat(new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))
                        .readLine()).isEqualTo("one hi");
            }
            // Ready once it runs the live generation and its start-up warm-up (at most kshift.proxy.warmup.timeout).
            await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/q/health/ready").statusCode() == 200);
        }
    }
}
