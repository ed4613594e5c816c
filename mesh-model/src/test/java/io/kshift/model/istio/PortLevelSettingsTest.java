package io.kshift.model.istio;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.registry.DestinationResolver;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Istio: a port's entry replaces the destination's policy for that port (what it omits takes defaults); a subset's
 * fields override the host's, and the subset's own port entry replaces them all.
 */
class PortLevelSettingsTest {
    @Test
    void aPortsSettingsOverrideTheHostsAndTheSubsetsOverrideThose() throws Exception {
        var parsed = ResourceReader.readBody("""
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: googleapis}
                spec:
                  hosts: [www.googleapis.com]
                  ports: [{number: 80, name: http, protocol: HTTP}, {number: 443, name: https, protocol: HTTPS}]
                  resolution: DNS
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: googleapis}
                spec:
                  host: www.googleapis.com
                  trafficPolicy:
                    loadBalancer: {simple: ROUND_ROBIN}
                    connectionPool: {tcp: {connectTimeout: 3s}}
                    portLevelSettings:
                    - port: {number: 443}
                      tls: {mode: SIMPLE}
                      loadBalancer: {simple: RANDOM}
                """.getBytes(StandardCharsets.UTF_8), BodyFormat.YAML);
        assertThat(parsed.errors()).isEmpty();
        DestinationResolver resolver = new DestinationResolver(MeshConfig.of(parsed.resources()));
        var https = resolver.resolve("www.googleapis.com", null, 443, "default").destination();
        assertThat(https.policy().tls().mode()).isEqualTo(ClientTlsSettings.Mode.SIMPLE);
        assertThat(https.loadBalancer()).isEqualTo(LoadBalancerSettings.SimpleLb.RANDOM);
        assertThat(https.connectTimeout()).as("port entries do not inherit: the default, not the host's 3s")
                .isEqualTo(DestinationResolver.DEFAULT_CONNECT_TIMEOUT);
        var http = resolver.resolve("www.googleapis.com", null, 80, "default").destination();
        assertThat(http.policy().tls()).isNull();
        assertThat(http.loadBalancer()).isEqualTo(LoadBalancerSettings.SimpleLb.ROUND_ROBIN);
    }
}
