package io.kshift.model.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.mesh.MeshConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceRegistryTest {
    static MeshConfig samples(String... files) throws Exception {
        MeshConfig config = MeshConfig.empty();
        for (String f : files) {
            var parsed = ResourceReader.readBody(Files.readAllBytes(Path.of("..", "samples", "tcp-echo", f)),
                    BodyFormat.YAML);
            assertThat(parsed.errors()).isEmpty();
            config = config.apply(parsed.resources()).config();
        }
        return config;
    }

    @Test
    void aServiceSelectsWorkloadEntriesAndMapsItsPortByName() throws Exception {
        var registry = ServiceRegistry.build(samples("tcp-echo-services.yaml"));
        MeshService svc = registry.lookup("tcp-echo", "default").orElseThrow();
        assertThat(registry.lookup("tcp-echo.default.svc.cluster.local", "other")).contains(svc);
        assertThat(registry.lookup("tcp-echo", "other")).isEmpty();
        ServicePortInfo port = svc.port(9000).orElseThrow();
        assertThat(svc.endpoints(Map.of("version", "v2")))
                .singleElement().satisfies(e -> assertThat(MeshService.endpointPort(e, port)).isEqualTo(9002));
        assertThat(svc.endpoints(Map.of())).hasSize(2);
    }

    /** As Istio: a DNS entry's own host is its endpoint only when it names no workloads. */
    @Test
    void aDnsEntryWhoseSelectorSelectsNothingHasNoEndpoints() throws Exception {
        var parsed = ResourceReader.readBody("""
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: db, namespace: data}
                spec:
                  hosts: [db.corp.internal]
                  ports: [{number: 5432, name: tcp, protocol: TCP}]
                  resolution: DNS
                  workloadSelector: {labels: {app: db}}
                ---
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: plain, namespace: data}
                spec:
                  hosts: [plain.corp.internal]
                  ports: [{number: 5432, name: tcp, protocol: TCP}]
                  resolution: DNS
                """.getBytes(), BodyFormat.YAML);
        assertThat(parsed.errors()).isEmpty();
        var registry = ServiceRegistry.build(MeshConfig.of(parsed.resources()));
        assertThat(registry.lookup("db.corp.internal", "data").orElseThrow().endpoints(Map.of())).isEmpty();
        assertThat(registry.lookup("plain.corp.internal", "data").orElseThrow().endpoints(Map.of()))
                .singleElement().satisfies(e -> assertThat(e.address()).isEqualTo("plain.corp.internal"));
    }

    @Test
    void dnsFallbackIsOnlyForDottedNonClusterNames() {
        assertThat(ServiceRegistry.dnsCandidate("httpbin.org")).isTrue();
        assertThat(ServiceRegistry.dnsCandidate("tcp-echo")).isFalse();
        assertThat(ServiceRegistry.dnsCandidate("tcp-echo.default.svc.cluster.local")).isFalse();
    }

    private static MeshConfig withEntry(MeshConfig config, String namespace, String address, java.time.Instant at)
            throws Exception {
        var parsed = ResourceReader.readBody(("""
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: partner, namespace: %s}
                spec:
                  hosts: [api.partner.example]
                  ports: [{number: 80, name: http, protocol: HTTP}]
                  resolution: STATIC
                  endpoints: [{address: %s}]
                """.formatted(namespace, address)).getBytes(), BodyFormat.YAML);
        assertThat(parsed.errors()).isEmpty();
        return config.apply(parsed.resources(), at).config();
    }

    @Test
    void ofEntriesSharingAHostTheOldestHoldsItUnlessOneIsInTheNodesNamespace() throws Exception {
        java.time.Instant t = java.time.Instant.parse("2026-01-01T00:00:00Z");
        // payments first, team-z later: team-z sorts after payments, so the newer would win by key order.
        MeshConfig config = withEntry(withEntry(MeshConfig.empty(), "payments", "10.0.0.1", t), "team-z", "10.0.0.2",
                t.plusSeconds(60));
        assertThat(ServiceRegistry.build(config).lookup("api.partner.example", "default").orElseThrow().namespace())
                .as("a newer entry in another namespace does not take the host over").isEqualTo("payments");
        assertThat(ServiceRegistry.build(config, "istio-system").lookup("api.partner.example", "x").orElseThrow()
                .namespace()).isEqualTo("payments");
        assertThat(ServiceRegistry.build(config, "team-z").lookup("api.partner.example", "x").orElseThrow()
                .namespace()).as("a node prefers its own namespace's entry, as Istio's sidecar scope").isEqualTo("team-z");

        MeshConfig reversed = withEntry(withEntry(MeshConfig.empty(), "team-z", "10.0.0.2", t), "payments",
                "10.0.0.1", t.plusSeconds(60));
        assertThat(ServiceRegistry.build(reversed).lookup("api.partner.example", "default").orElseThrow().namespace())
                .isEqualTo("team-z");
    }
}
