package io.kshift.proxy.http;

import io.kshift.samples.HttpEcho;
import java.net.http.HttpClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The HTTP tests' gateway: httpbin v1 and v2 backends on real sockets and an {@link HttpMesh} on a free port. */
abstract class GatewayHttpFixture {
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    static HttpEcho v1;
    static HttpEcho v2;
    static int gatewayPort;
    static HttpMesh mesh;

    @BeforeAll
    static void backends() throws Exception {
        v1 = HttpEcho.start("127.0.0.1", 0, "v1");
        v2 = HttpEcho.start("127.0.0.1", 0, "v2");
        gatewayPort = HttpMesh.freePort();
        mesh = new HttpMesh(gatewayPort, v1.port(), v2.port());
    }

    @AfterAll
    static void stop() {
        v1.close();
        v2.close();
    }
}
