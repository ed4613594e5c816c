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

/** A Gateway API RequestRedirect with ReplacePrefixMatch: the Location carries the path with its prefix replaced. */
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
    }
}
