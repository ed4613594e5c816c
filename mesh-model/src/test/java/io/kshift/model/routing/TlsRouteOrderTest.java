package io.kshift.model.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.mesh.MeshConfig;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** TLSRoutes taking the same names on a listener: the older serves them (the Gateway API's tie-break), not by name. */
class TlsRouteOrderTest {
    static final String GATEWAY = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: gw}
            spec:
              gatewayClassName: istio
              listeners: [{name: tls, protocol: TLS, port: 8443, tls: {mode: Passthrough}}]
            """;

    static String tlsRoute(String name) {
        return """
                apiVersion: gateway.networking.k8s.io/v1alpha2
                kind: TLSRoute
                metadata: {name: %s}
                spec:
                  parentRefs: [{name: gw}]
                  hostnames: ['*.example.com']
                  rules: [{backendRefs: [{name: tcp-echo, port: 9000}]}]
                """.formatted(name);
    }

    static MeshConfig apply(MeshConfig config, String yaml, Instant at) throws Exception {
        var parsed = ResourceReader.readBody(yaml.getBytes(StandardCharsets.UTF_8), BodyFormat.YAML);
        assertThat(parsed.errors()).isEmpty();
        return config.apply(parsed.resources(), at).config();
    }

    @Test
    void theOlderOfTwoRoutesForOneNameComesFirstWhateverTheirNames() throws Exception {
        MeshConfig config = apply(MeshConfig.empty(), GATEWAY + "---\n" + tlsRoute("b-older"),
                Instant.parse("2026-01-01T00:00:00Z"));
        config = apply(config, tlsRoute("a-newer"), Instant.parse("2026-01-02T00:00:00Z"));
        assertThat(TlsBindings.compute(config).get(8443).chains()).singleElement()
                .satisfies(c -> assertThat(c.routes()).extracting(r -> r.source().name())
                        .containsExactly("b-older", "a-newer"));
    }

    /**
     * Istio builds a passthrough server's filter chains from tls routes alone: a catch-all tcp route of a
     * VirtualService bound to the Gateway (meant for its TCP server) takes no connection on the passthrough port;
     * on a terminating TLS server it is the route.
     */
    @Test
    void aPassthroughServerTakesNoTcpRouteATerminatingOneDoes() throws Exception {
        MeshConfig config = apply(MeshConfig.empty(), """
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: edge}
                spec:
                  selector: {istio: ingressgateway}
                  servers:
                  - {port: {number: 27017, name: mongo, protocol: TCP}, hosts: ['*']}
                  - {port: {number: 443, name: tls, protocol: TLS}, hosts: ['*'], tls: {mode: PASSTHROUGH}}
                  - {port: {number: 8443, name: tls-term, protocol: TLS}, hosts: ['*'],
                     tls: {mode: SIMPLE, credentialName: cert}}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: mongo}
                spec:
                  hosts: ['*']
                  gateways: [edge]
                  tcp: [{route: [{destination: {host: mongo, port: {number: 27017}}}]}]
                  tls:
                  - match: [{port: 443, sniHosts: [db.example.com]}]
                    route: [{destination: {host: db, port: {number: 443}}}]
                """, Instant.parse("2026-01-01T00:00:00Z"));
        var ports = TlsBindings.compute(config);
        assertThat(ports.get(443).chains()).singleElement().satisfies(c -> assertThat(c.routes())
                .extracting(r -> r.field()).containsExactly("spec.tls[0]"));
        assertThat(ports.get(8443).chains()).singleElement().satisfies(c -> assertThat(c.routes())
                .extracting(r -> r.field()).containsExactly("spec.tcp[0]"));
    }
}
