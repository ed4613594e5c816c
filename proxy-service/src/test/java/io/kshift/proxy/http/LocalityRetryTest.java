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
 * answers 503. As Envoy's retries, both retries go to it again (the zone holds all the load while it is healthy) and
 * the client gets 503; with {@code retryRemoteLocalities} the first retry still goes there and the second leaves the
 * zone tried (Istio's previous_priorities, update frequency 2): the next zone's backend answers, the far one never.
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
        // The zone's only endpoint answers 503 and counts what reaches it.
        java.util.concurrent.atomic.AtomicInteger nearHits = new java.util.concurrent.atomic.AtomicInteger();
        com.sun.net.httpserver.HttpServer near = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        near.createContext("/", exchange -> {
            nearHits.incrementAndGet();
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        near.start();
        try {
            int port = HttpMesh.freePort();
            String config = """
                    apiVersion: v1
                    kind: Service
                    metadata: {name: web}
                    spec: {ports: [{name: http, port: 8000}], selector: {app: web}}
                    ---
                    apiVersion: networking.istio.io/v1
                    kind: WorkloadEntry
                    metadata: {name: near}
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
                      - retries: {attempts: %d, retryOn: 5xx, retryRemoteLocalities: %s}
                        route: [{destination: {host: web}}]
                    """;
            int nearPort = near.getAddress().getPort();
            mesh.publishNext(tables, config.formatted(nearPort, v1.port(), v2.port(), port, 2, "false"));
            assertThat(get(port).statusCode()).as("every try in the node's zone").isEqualTo(503);
            assertThat(nearHits.getAndSet(0)).as("the first try and both retries").isEqualTo(3);
            mesh.publishNext(tables, config.formatted(nearPort, v1.port(), v2.port(), port, 1, "true"));
            assertThat(get(port).statusCode()).as("the first retry goes where the first try did").isEqualTo(503);
            assertThat(nearHits.getAndSet(0)).isEqualTo(2);
            mesh.publishNext(tables, config.formatted(nearPort, v1.port(), v2.port(), port, 2, "true"));
            v1.clear();
            v2.clear();
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = get(port);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.headers().firstValue("x-echo-version")).as("the next zone, not the far region")
                        .hasValue("v1");
            }
            assertThat(nearHits.get()).as("two tries each in the zone, then the second retry leaves it").isEqualTo(6);
            assertThat(v2.seen()).isEmpty();
        } finally {
            near.stop(0);
        }
    }

    private static HttpResponse<String> get(int port) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/get")).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
