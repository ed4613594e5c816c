package io.kshift.proxy.http;

import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.testkit.Bus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * The HTTP tests' mesh: Service {@code httpbin} (port 8000) over WorkloadEntries for the test's backends, a
 * DestinationRule with subsets v1/v2, an Istio Gateway with an HTTP server on the test's gateway port, plus
 * whatever YAML a test adds. Published as one snapshot.
 */
record HttpMesh(int gatewayPort, int v1Port, int v2Port) {

    String services() {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: httpbin}
                spec: {ports: [{name: http, port: 8000}], selector: {app: httpbin}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: httpbin-v1}
                spec: {address: 127.0.0.1, ports: {http: %d}, labels: {app: httpbin, version: v1}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: httpbin-v2}
                spec: {address: 127.0.0.1, ports: {http: %d}, labels: {app: httpbin, version: v2}}
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: httpbin-gateway}
                spec:
                  selector: {istio: ingressgateway}
                  servers: [{port: {number: %d, name: http, protocol: HTTP}, hosts: ['*']}]
                """.formatted(v1Port, v2Port, gatewayPort);
    }

    /** A port nothing listens on now, for a gateway the test is about to configure. */
    static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    /** One more endpoint of httpbin, in subset {@code version}. */
    static String endpoint(String name, int port, String version) {
        return """
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: %s}
                spec: {address: 127.0.0.1, ports: {http: %d}, labels: {app: httpbin, version: %s}}
                """.formatted(name, port, version);
    }

    static String rule(String trafficPolicy) {
        return """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: httpbin}
                spec:
                  host: httpbin
                %s  subsets:
                  - {name: v1, labels: {version: v1}}
                  - {name: v2, labels: {version: v2}}
                """.formatted(trafficPolicy);
    }

    /** A VirtualService bound to the gateway (and the mesh) with these http routes. */
    static String routes(String http) {
        return """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: httpbin}
                spec:
                  hosts: ['*']
                  gateways: [httpbin-gateway]
                  http:
                """ + http;
    }

    MeshSnapshot snapshot(long generation, String... yaml) {
        MeshConfig config = MeshConfig.empty();
        // Each argument a moment after the one before: their order is the resources' age.
        Instant created = Instant.parse("2026-01-01T00:00:00Z");
        for (String doc : yaml) {
            created = created.plusSeconds(1);
            try {
                var parsed = ResourceReader.readBody(doc.getBytes(StandardCharsets.UTF_8), BodyFormat.YAML);
                if (!parsed.ok()) {
                    throw new IllegalStateException(parsed.errors().toString());
                }
                config = config.apply(parsed.resources(), created).config();
            } catch (io.kshift.model.codec.BodySyntaxException e) {
                throw new IllegalStateException(doc, e);
            }
        }
        return new MeshSnapshot(null, generation, UUID.randomUUID().toString(), Instant.now(), config.all());
    }

    void publish(long generation, String... yaml) {
        Bus.send(MeshTopics.CONFIG, MeshTopics.MESH_KEY, EventCodec.encode(snapshot(generation, yaml)));
    }

    /** The services plus {@code yaml} as the node's next generation, once the node runs it. */
    void publishNext(io.kshift.proxy.config.RouteTableHolder tables, String... yaml) {
        long generation = tables.get().generation() + 1;
        java.util.List<String> docs = new java.util.ArrayList<>(java.util.List.of(services()));
        docs.addAll(java.util.List.of(yaml));
        publish(generation, docs.toArray(String[]::new));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                .until(() -> tables.get().generation() == generation);
    }
}
