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

    /**
     * Services web-a (httpbin v1) and web-b (httpbin v2) on port 8000 and Gateway API Gateway {@code web} listening on
     * {@code port}, ready for an HTTPRoute to follow.
     */
    static String webServicesAndGateway(int port) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: web-a}
                spec: {ports: [{name: http, port: 8000}], selector: {app: httpbin, version: v1}}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web-b}
                spec: {ports: [{name: http, port: 8000}], selector: {app: httpbin, version: v2}}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: web}
                spec:
                  gatewayClassName: kshift
                  listeners: [{name: http, protocol: HTTP, port: %d}]
                ---
                """.formatted(port);
    }

    @AfterAll
    static void stop() {
        v1.close();
        v2.close();
    }
}
