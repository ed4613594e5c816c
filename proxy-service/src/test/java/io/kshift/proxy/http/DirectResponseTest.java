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
 * Istio's directResponse through a gateway: the proxy answers with the route's status and body (text or base64),
 * the route's response headers included, and nothing reaches a backend.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class DirectResponseTest extends GatewayHttpFixture {

    @Inject
    RouteTableHolder tables;

    static HttpResponse<String> get(String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + path))
                .timeout(Duration.ofSeconds(8)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theRouteAnswersItselfAndNothingIsForwarded() throws Exception {
        long generation = tables.get().generation() + 1;
        mesh.publish(generation, mesh.services(), HttpMesh.rule(""), HttpMesh.routes("""
                  - match: [{uri: {prefix: /maintenance}}]
                    directResponse: {status: 503, body: {string: back soon}}
                    headers: {response: {set: {retry-after: "120"}}}
                  - match: [{uri: {prefix: /teapot}}]
                    directResponse: {status: 418, body: {bytes: c2hvcnQgYW5kIHN0b3V0}}
                  - match: [{uri: {prefix: /status.json}}]
                    directResponse: {status: 200, body: {string: '{"up":false}'}}
                    headers: {response: {set: {content-type: application/json}}}
                  - match: [{uri: {prefix: /gone}}]
                    directResponse: {status: 410}
                  - route: [{destination: {host: httpbin, subset: v1, port: {number: 8000}}}]
                """));
        await().atMost(Duration.ofSeconds(20)).until(() -> tables.get().generation() == generation);
        v1.clear();

        HttpResponse<String> maintenance = get("/maintenance/page");
        assertThat(maintenance.statusCode()).isEqualTo(503);
        assertThat(maintenance.body()).isEqualTo("back soon");
        assertThat(maintenance.headers().firstValue("retry-after")).hasValue("120");
        HttpResponse<String> teapot = get("/teapot");
        assertThat(teapot.statusCode()).isEqualTo(418);
        assertThat(teapot.body()).isEqualTo("short and stout");
        assertThat(teapot.headers().firstValue("content-type")).hasValue("text/plain");
        HttpResponse<String> json = get("/status.json");
        assertThat(json.body()).isEqualTo("{\"up\":false}");
        assertThat(json.headers().firstValue("content-type")).as("the route's edits win over the default")
                .hasValue("application/json");
        HttpResponse<String> gone = get("/gone");
        assertThat(gone.statusCode()).isEqualTo(410);
        assertThat(gone.body()).isEmpty();
        assertThat(gone.headers().firstValue("content-type")).isEmpty();
        assertThat(v1.seen()).as("a direct response forwards nothing").isEmpty();
        assertThat(get("/get").statusCode()).isEqualTo(200);
        assertThat(v1.seen()).hasSize(1);
    }
}
