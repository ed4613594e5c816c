package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.proxy.config.RouteTableHolder;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Retries under locality load balancing, on a node in us-east/a with real backends: the only endpoint of its zone
 * refuses connections. As Envoy's retries, both retries go to it again (the zone holds all the load while it is
 * healthy) and the client gets 503; with {@code retryRemoteLocalities} the second retry leaves the zone tried (Istio's
 * previous_priorities, update frequency 2) and the next zone's backend answers.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
@TestProfile(LocalityRetryTest.InUsEastA.class)
class LocalityRetryTest extends GatewayHttpFixture {

    public static class InUsEastA implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kshift.proxy.locality", "us-east/a", "kshift.proxy.node-id", "locality-retry");
        }
    }

    @Inject
    RouteTableHolder tables;

    @Test
    void aSecondRetryLeavesTheZoneTriedOnlyWithRetryRemoteLocalities() throws Exception {
        int port = HttpMesh.freePort();
        int dead = HttpMesh.freePort();
        String config = """
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec: {ports: [{name: http, port: 8000}], selector: {app: web}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: near-dead}
                spec: {address: 127.0.0.1, ports: {http: %d}, labels: {app: web}, locality: us-east/a}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: next-zone}
                spec: {address: 127.0.0.1, ports: {http: %d}, labels: {app: web}, locality: us-east/b}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: far}
                spec: {address: 127.0.0.1, ports: {http: %d}, labels: {app: web}, locality: eu-west/c}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: web}
                spec: {host: web, trafficPolicy: {outlierDetection: {consecutive5xxErrors: 1000, interval: 1h}}}
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: gw}
                spec:
                  selector: {istio: ingressgateway}
                  servers: [{port: {number: %d, name: http, protocol: HTTP}, hosts: ['*']}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web}
                spec:
                  hosts: ['*']
                  gateways: [gw]
                  http:
                  - retries: {attempts: 2, retryOn: connect-failure, retryRemoteLocalities: %s}
                    route: [{destination: {host: web}}]
                """;
        mesh.publishNext(tables, config.formatted(dead, v1.port(), v2.port(), port, "false"));
        for (int i = 0; i < 3; i++) {
            assertThat(get(port).statusCode()).as("every try in the node's zone").isEqualTo(503);
        }
        mesh.publishNext(tables, config.formatted(dead, v1.port(), v2.port(), port, "true"));
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = get(port);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("x-echo-version")).as("the next zone, not the far region")
                    .hasValue("v1");
        }
    }

    private static HttpResponse<String> get(int port) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/get")).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
