package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kshift.proxy.config.RouteTableHolder;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * What a VirtualService match reads of a real request, as Envoy reads it: a header sent on two lines is both values
 * joined, the pseudo-headers name the HTTP/1 request's own method and Host, a query parameter is matched raw.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class RequestMatchValuesTest extends GatewayHttpFixture {

    @Inject
    RouteTableHolder tables;

    @Test
    void repeatedHeadersPseudoHeadersAndRawQueries() throws Exception {
        long generation = tables.get().generation() + 1;
        mesh.publish(generation, mesh.services(), HttpMesh.rule(""), HttpMesh.routes("""
                  - match: [{headers: {x-groups: {regex: '.*beta.*'}}}]
                    route: [{destination: {host: httpbin, subset: v2, port: {number: 8000}}}]
                  - match: [{headers: {':method': {exact: POST}}, withoutHeaders: {':authority': {prefix: internal.}}}]
                    route: [{destination: {host: httpbin, subset: v2, port: {number: 8000}}}]
                  - match: [{queryParams: {debug: {exact: '1'}}}, {queryParams: {q: {exact: 'a%20b'}}}]
                    route: [{destination: {host: httpbin, subset: v2, port: {number: 8000}}}]
                  - route: [{destination: {host: httpbin, subset: v1, port: {number: 8000}}}]
                """));
        await().atMost(Duration.ofSeconds(20)).until(() -> tables.get().generation() == generation);

        assertThat(served("GET /get", "x-groups: alpha", "x-groups: beta")).isEqualTo("v2");
        assertThat(served("GET /get", "x-groups: alpha")).isEqualTo("v1");
        assertThat(served("POST /get", "Host: shop.example.com")).isEqualTo("v2");
        assertThat(served("POST /get", "Host: internal.example.com")).as("withoutHeaders :authority")
                .isEqualTo("v1");
        assertThat(served("GET /get?DEBUG=0&debug=1")).isEqualTo("v2");
        assertThat(served("GET /get?Debug=1")).as("query names are case-sensitive").isEqualTo("v1");
        assertThat(served("GET /get?q=a%20b")).as("values are matched as sent").isEqualTo("v2");
        assertThat(served("GET /get?q=a+b")).isEqualTo("v1");
    }

    /** The version that answered {@code requestLine} with {@code headers} (a Host unless one is given). */
    private static String served(String requestLine, String... headers) throws Exception {
        StringBuilder request = new StringBuilder(requestLine).append(" HTTP/1.1\r\n");
        boolean host = false;
        for (String h : headers) {
            host |= h.toLowerCase(java.util.Locale.ROOT).startsWith("host:");
            request.append(h).append("\r\n");
        }
        if (!host) {
            request.append("Host: 127.0.0.1:").append(gatewayPort).append("\r\n");
        }
        request.append("Content-Length: 0\r\nConnection: close\r\n\r\n");
        try (Socket socket = new Socket("127.0.0.1", gatewayPort)) {
            socket.setSoTimeout(8000);
            socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT);
            assertThat(answer).startsWith("http/1.1 200");
            return answer.contains("x-echo-version: v2") ? "v2" : answer.contains("x-echo-version: v1") ? "v1"
                    : "?";
        }
    }
}
