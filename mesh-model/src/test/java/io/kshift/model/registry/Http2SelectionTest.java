package io.kshift.model.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.mesh.MeshConfig;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Which destinations are spoken to over HTTP/2: Istio's protocol selection and the DestinationRule's upgrade. */
class Http2SelectionTest {
    static MeshConfig config(String yaml) throws Exception {
        var parsed = ResourceReader.readBody(yaml.getBytes(StandardCharsets.UTF_8), BodyFormat.YAML);
        assertThat(parsed.errors()).isEmpty();
        return MeshConfig.empty().apply(parsed.resources()).config();
    }

    static final String SERVICES = """
            apiVersion: v1
            kind: Service
            metadata: {name: api}
            spec:
              selector: {app: api}
              ports:
              - {name: web, port: 80}
              - {name: grpc-api, port: 81}
              - {name: web2, port: 82, appProtocol: kubernetes.io/h2c}
              - {name: grpc-but-http, port: 83, appProtocol: http}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: api-1}
            spec: {address: 10.0.0.1, labels: {app: api}}
            ---
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: ext}
            spec:
              hosts: [ext.example.com]
              resolution: STATIC
              ports: [{number: 443, name: g, protocol: GRPC}, {number: 80, name: h, protocol: HTTP}]
              endpoints: [{address: 10.0.0.9}]
            """;

    static boolean http2(MeshConfig config, String host, int port) {
        return new DestinationResolver(config).resolve(host, null, port, "default").destination().http2();
    }

    @Test
    void portsDeclaredGrpcOrHttp2AreSpokenToOverHttp2() throws Exception {
        MeshConfig config = config(SERVICES);
        assertThat(http2(config, "api", 80)).isFalse();
        assertThat(http2(config, "api", 81)).as("name prefix grpc-").isTrue();
        assertThat(http2(config, "api", 82)).as("appProtocol kubernetes.io/h2c").isTrue();
        assertThat(http2(config, "api", 83)).as("appProtocol first").isFalse();
        assertThat(http2(config, "ext.example.com", 443)).as("ServiceEntry protocol GRPC").isTrue();
        assertThat(http2(config, "ext.example.com", 80)).isFalse();
    }

    @Test
    void aDestinationRuleUpgradesHttpPortsToHttp2() throws Exception {
        MeshConfig config = config(SERVICES + """
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: api}
                spec:
                  host: api
                  trafficPolicy:
                    connectionPool: {http: {h2UpgradePolicy: UPGRADE}}
                    portLevelSettings:
                    - port: {number: 82}
                      connectionPool: {http: {h2UpgradePolicy: DO_NOT_UPGRADE}}
                """);
        assertThat(http2(config, "api", 80)).isTrue();
        assertThat(http2(config, "api", 82)).as("a declared HTTP/2 port stays HTTP/2").isTrue();
        var d = new DestinationResolver(config).resolve("api", null, 80, "default").destination();
        assertThat(d.withHttp2(false).key()).isEqualTo(d.key());
    }
}
