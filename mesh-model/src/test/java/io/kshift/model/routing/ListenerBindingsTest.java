package io.kshift.model.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.mesh.SyntheticMesh;
import io.kshift.model.resource.ResourceKey;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ListenerBindingsTest {
    private static MeshConfig mesh(String serverHosts) {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        MeshConfig config = MeshConfig.empty().apply(SyntheticMesh.parse("""
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: tcp-gw, namespace: infra}
                spec: {servers: [{port: {number: 31400, name: tcp, protocol: TCP}, hosts: %s}]}
                """.formatted(serverHosts)), t).config();
        // team-b's is the older: by age alone it would own the port.
        config = config.apply(SyntheticMesh.parse("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: grab, namespace: team-b}
                spec: {hosts: ["*"], gateways: [infra/tcp-gw], tcp: [{route: [{destination: {host: grab}}]}]}
                """), t.plusSeconds(1)).config();
        return config.apply(SyntheticMesh.parse("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: echo, namespace: infra}
                spec: {hosts: ["*"], gateways: [tcp-gw], tcp: [{route: [{destination: {host: tcp-echo}}]}]}
                """), t.plusSeconds(2)).config();
    }

    private static ResourceKey owner(MeshConfig config) {
        return ListenerBindings.compute(config).get(31400).routes().get(0).source();
    }

    @Test
    void aTcpServerTakesOnlyTheVirtualServicesItsHostsAdmit() {
        assertThat(owner(mesh("[\"infra/*\"]")).toString()).as("another namespace's, though older, is not admitted")
                .isEqualTo("VirtualService infra/echo");
        assertThat(owner(mesh("[\"./*\"]")).toString()).isEqualTo("VirtualService infra/echo");
        assertThat(owner(mesh("[\"*\"]")).toString()).as("any namespace: the oldest").isEqualTo("VirtualService team-b/grab");
        assertThat(owner(mesh("[\"team-b/*\"]")).toString()).isEqualTo("VirtualService team-b/grab");
        assertThat(ListenerBindings.compute(mesh("[\"other/*\"]")).get(31400).routes()).isEmpty();
    }
}
