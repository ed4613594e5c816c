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

    @Test
    void dnsFallbackIsOnlyForDottedNonClusterNames() {
        assertThat(ServiceRegistry.dnsCandidate("httpbin.org")).isTrue();
        assertThat(ServiceRegistry.dnsCandidate("tcp-echo")).isFalse();
        assertThat(ServiceRegistry.dnsCandidate("tcp-echo.default.svc.cluster.local")).isFalse();
    }
}
