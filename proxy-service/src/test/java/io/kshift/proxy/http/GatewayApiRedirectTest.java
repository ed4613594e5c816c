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
 * A Gateway API RequestRedirect: with ReplacePrefixMatch the Location carries the path with its prefix replaced; its
 * port follows the API's rules (a scheme's well-known port, else the listener's, left out when it is the scheme's).
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class GatewayApiRedirectTest extends GatewayHttpFixture {
    @Inject
    RouteTableHolder tables;

    @Test
    void aPrefixRedirectReplacesTheMatchedPrefix() throws Exception {
        int port = HttpMesh.freePort();
        long generation = tables.get().generation() + 1;
        mesh.publish(generation, mesh.services(), """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: web}
                spec:
                  gatewayClassName: kshift
                  listeners: [{name: http, protocol: HTTP, port: %d}]
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: moved}
                spec:
                  parentRefs: [{name: web}]
                  rules:
                  - matches: [{path: {type: PathPrefix, value: /old}}]
                    filters:
                    - type: RequestRedirect
                      requestRedirect: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /new}, statusCode: 301}
                  - matches: [{path: {type: PathPrefix, value: /secure}}]
                    filters: [{type: RequestRedirect, requestRedirect: {scheme: https}}]
                  - matches: [{path: {type: PathPrefix, value: /elsewhere}}]
                    filters: [{type: RequestRedirect, requestRedirect: {hostname: new.example.com}}]
                  - matches: [{path: {type: PathPrefix, value: /pinned}}]
                    filters: [{type: RequestRedirect, requestRedirect: {scheme: https, port: 8443}}]
                  - matches: [{path: {type: PathPrefix, value: /standard}}]
                    filters: [{type: RequestRedirect, requestRedirect: {scheme: https, port: 443}}]
                  - backendRefs: [{name: httpbin, port: 8000}]
                """.formatted(port));
        await().atMost(Duration.ofSeconds(20)).until(() -> tables.get().generation() == generation);
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/old/page?x=1")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(301);
        assertThat(r.headers().firstValue("location")).hasValue("http://127.0.0.1:" + port + "/new/page?x=1");
        HttpResponse<String> exact = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/old")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(exact.headers().firstValue("location")).hasValue("http://127.0.0.1:" + port + "/new");
        HttpResponse<String> other = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/older")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(other.statusCode()).as("a whole-segment prefix: /older is not under /old").isEqualTo(200);
        // The API's port rules: a scheme given, its well-known port (not written); else the listener's.
        assertThat(location(port, "/secure/a")).isEqualTo("https://127.0.0.1/secure/a");
        assertThat(location(port, "/elsewhere")).isEqualTo("http://new.example.com:" + port + "/elsewhere");
        assertThat(location(port, "/pinned")).isEqualTo("https://127.0.0.1:8443/pinned");
        assertThat(location(port, "/standard")).as("the scheme's own port is not written").isEqualTo("https://127.0.0.1/standard");
        // The listener's port, not one the Host header claims (a NodePort or a load balancer's).
        try (java.net.Socket raw = new java.net.Socket("127.0.0.1", port)) {
            raw.setSoTimeout(5000);
            raw.getOutputStream().write("GET /elsewhere HTTP/1.1\r\nHost: shop.example.com:31999\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(raw.getInputStream(),
                    java.nio.charset.StandardCharsets.US_ASCII));
            String location = null;
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("location:")) {
                    location = line.substring(9).strip();
                }
            }
            assertThat(location).isEqualTo("http://new.example.com:" + port + "/elsewhere");
        }
    }

    private static String location(int port, String path) throws Exception {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path).isEqualTo(302);
        return r.headers().firstValue("location").orElseThrow();
    }
}
