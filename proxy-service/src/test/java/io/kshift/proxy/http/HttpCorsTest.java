package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kshift.proxy.config.RouteTableHolder;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Istio's corsPolicy through a gateway, with a real backend: a preflight from an allowed origin is answered by the
 * proxy and never reaches the backend; an actual request from it is forwarded and its response names the origin;
 * another origin gets no CORS headers and its preflight goes to the backend like any request.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class HttpCorsTest extends GatewayHttpFixture {

    @Inject
    RouteTableHolder tables;

    static HttpResponse<String> send(String method, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + "/get"))
                .timeout(Duration.ofSeconds(8)).method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void preflightsAreAnsweredHereAndResponsesNameTheAllowedOrigin() throws Exception {
        long generation = tables.get().generation() + 1;
        mesh.publish(generation, mesh.services(), HttpMesh.rule(""), HttpMesh.routes("""
                  - corsPolicy:
                      allowOrigins: [{exact: 'https://app.example.com'}, {regex: 'https://.+\\.trusted\\.io'}]
                      allowMethods: [GET, POST]
                      allowHeaders: [x-token]
                      exposeHeaders: [x-echo-version]
                      maxAge: 10m
                      allowCredentials: true
                    route: [{destination: {host: httpbin, subset: v1, port: {number: 8000}}}]
                """));
        await().atMost(Duration.ofSeconds(20)).until(() -> tables.get().generation() == generation);
        v1.clear();

        HttpResponse<String> preflight = send("OPTIONS", "Origin", "https://app.example.com",
                "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "x-token");
        assertThat(preflight.statusCode()).isEqualTo(200);
        assertThat(preflight.headers().firstValue("access-control-allow-origin")).hasValue("https://app.example.com");
        assertThat(preflight.headers().firstValue("access-control-allow-methods")).hasValue("GET,POST");
        assertThat(preflight.headers().firstValue("access-control-allow-headers")).hasValue("x-token");
        assertThat(preflight.headers().firstValue("access-control-max-age")).hasValue("600");
        assertThat(preflight.headers().firstValue("access-control-allow-credentials")).hasValue("true");
        assertThat(v1.seen()).as("a preflight the policy answers never reaches the backend").isEmpty();

        HttpResponse<String> actual = send("GET", "Origin", "https://a.trusted.io");
        assertThat(actual.statusCode()).isEqualTo(200);
        assertThat(actual.headers().firstValue("access-control-allow-origin")).hasValue("https://a.trusted.io");
        assertThat(actual.headers().firstValue("access-control-expose-headers")).hasValue("x-echo-version");
        assertThat(actual.headers().allValues("vary")).contains("Origin");
        assertThat(v1.seen()).hasSize(1);

        HttpResponse<String> other = send("GET", "Origin", "https://evil.example");
        assertThat(other.statusCode()).isEqualTo(200);
        assertThat(other.headers().firstValue("access-control-allow-origin")).isEmpty();
        HttpResponse<String> otherPreflight = send("OPTIONS", "Origin", "https://evil.example",
                "Access-Control-Request-Method", "POST");
        assertThat(otherPreflight.headers().firstValue("access-control-allow-origin")).isEmpty();
        assertThat(v1.seen()).as("another origin's preflight is forwarded like any request").hasSize(3)
                .last().satisfies(s -> assertThat(s.method()).isEqualTo("OPTIONS"));
        HttpResponse<String> plain = send("GET");
        assertThat(plain.headers().firstValue("access-control-allow-origin")).isEmpty();
    }

    @Test
    void theProxysOwnAnswersCarryTheCorsHeadersToo() throws Exception {
        long generation = tables.get().generation() + 1;
        mesh.publish(generation, mesh.services(), HttpMesh.rule(""), HttpMesh.routes("""
                  - corsPolicy:
                      allowOrigins: [{exact: 'https://app.example.com'}]
                      allowCredentials: true
                    fault: {abort: {httpStatus: 503, percentage: {value: 100}}}
                    route: [{destination: {host: httpbin, subset: v1, port: {number: 8000}}}]
                """));
        await().atMost(Duration.ofSeconds(20)).until(() -> tables.get().generation() == generation);
        // Without them a browser hides the 503 from the page and reports a CORS error instead.
        HttpResponse<String> aborted = send("GET", "Origin", "https://app.example.com");
        assertThat(aborted.statusCode()).isEqualTo(503);
        assertThat(aborted.headers().firstValue("x-kshift-response-flags")).hasValue("FI");
        assertThat(aborted.headers().firstValue("access-control-allow-origin")).hasValue("https://app.example.com");
        assertThat(aborted.headers().firstValue("access-control-allow-credentials")).hasValue("true");
        // Refused before its body arrives (over the body limit): the origin was decided from the headers.
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gatewayPort)) {
            socket.getOutputStream().write(("POST /get HTTP/1.1\r\nHost: 127.0.0.1:" + gatewayPort
                    + "\r\nOrigin: https://app.example.com\r\nContent-Length: 999999999999\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.setSoTimeout(5000);
            StringBuilder received = new StringBuilder();
            java.io.InputStream in = socket.getInputStream();
            while (received.indexOf("\r\n\r\n") < 0) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                received.append((char) b);
            }
            String head = received.toString().toLowerCase(java.util.Locale.ROOT);
            assertThat(head).startsWith("http/1.1 413").contains("access-control-allow-origin: https://app.example.com");
        }
        HttpResponse<String> other = send("GET", "Origin", "https://evil.example");
        assertThat(other.statusCode()).isEqualTo(503);
        assertThat(other.headers().firstValue("access-control-allow-origin")).isEmpty();
        assertThat(other.headers().allValues("vary")).contains("Origin");
    }

    @Test
    void aWildcardOriginAllowsEveryOrigin() throws Exception {
        long generation = tables.get().generation() + 1;
        mesh.publish(generation, mesh.services(), HttpMesh.rule(""), HttpMesh.routes("""
                  - corsPolicy:
                      allowOrigins: [{exact: '*'}]
                      allowMethods: [GET, POST]
                    route: [{destination: {host: httpbin, subset: v1, port: {number: 8000}}}]
                """));
        await().atMost(Duration.ofSeconds(20)).until(() -> tables.get().generation() == generation);
        v1.clear();
        HttpResponse<String> preflight = send("OPTIONS", "Origin", "https://app.example",
                "Access-Control-Request-Method", "POST");
        assertThat(preflight.statusCode()).isEqualTo(200);
        assertThat(preflight.headers().firstValue("access-control-allow-origin")).hasValue("https://app.example");
        assertThat(v1.seen()).as("answered here, as an allowed origin's").isEmpty();
        HttpResponse<String> actual = send("GET", "Origin", "https://other.example");
        assertThat(actual.headers().firstValue("access-control-allow-origin")).hasValue("https://other.example");
    }

    /** Envoy answers {@code *} with what the preflight asks for, credentials or not (a bearer token's Authorization). */
    @Test
    void aWildcardOfHeadersOrMethodsIsAnsweredWithWhatThePreflightAsks() throws Exception {
        long generation = tables.get().generation() + 1;
        mesh.publish(generation, mesh.services(), HttpMesh.rule(""), HttpMesh.routes("""
                  - corsPolicy:
                      allowOrigins: [{exact: 'https://app.example.com'}]
                      allowMethods: ['*']
                      allowHeaders: ['*']
                    route: [{destination: {host: httpbin, subset: v1, port: {number: 8000}}}]
                """));
        await().atMost(Duration.ofSeconds(20)).until(() -> tables.get().generation() == generation);
        HttpResponse<String> preflight = send("OPTIONS", "Origin", "https://app.example.com",
                "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "authorization, x-a");
        assertThat(preflight.headers().firstValue("access-control-allow-headers")).hasValue("authorization, x-a");
        assertThat(preflight.headers().firstValue("access-control-allow-methods")).hasValue("PUT");
    }

    /** A preflight answered here takes no turn of the route's exact weights: page after page stays 50/50. */
    @Test
    void preflightsAnsweredHereLeaveTheSplitExact() throws Exception {
        long generation = tables.get().generation() + 1;
        mesh.publish(generation, mesh.services(), HttpMesh.rule(""), HttpMesh.routes("""
                  - corsPolicy:
                      allowOrigins: [{exact: 'https://app.example.com'}]
                      allowMethods: [GET]
                    route:
                    - {destination: {host: httpbin, subset: v1, port: {number: 8000}}, weight: 50}
                    - {destination: {host: httpbin, subset: v2, port: {number: 8000}}, weight: 50}
                """));
        await().atMost(Duration.ofSeconds(20)).until(() -> tables.get().generation() == generation);
        java.util.Map<String, Integer> versions = new java.util.TreeMap<>();
        for (int i = 0; i < 10; i++) {
            send("OPTIONS", "Origin", "https://app.example.com", "Access-Control-Request-Method", "GET");
            versions.merge(send("GET", "Origin", "https://app.example.com").headers()
                    .firstValue("x-echo-version").orElse("none"), 1, Integer::sum);
        }
        assertThat(versions).containsExactly(java.util.Map.entry("v1", 5), java.util.Map.entry("v2", 5));
    }
}
