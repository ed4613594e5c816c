package io.kshift.model.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.istio.ClientTlsSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Istio: TLS originated to a ServiceEntry's hosts checks its subjectAltNames where the DestinationRule names none. */
class OriginationNamesTest {
    static final String ENTRY = """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: api, namespace: shop}
            spec:
              hosts: [api.example.com]
              ports: [{number: 443, name: https, protocol: HTTPS}]
              resolution: DNS
              subjectAltNames: [api.example.com, "spiffe://example.com/api"]
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: api, namespace: shop}
            spec:
              host: api.example.com
              trafficPolicy: {tls: %s}
              subsets: [{name: own, trafficPolicy: {tls: {mode: SIMPLE, subjectAltNames: [own.example.com]}}}]
            """;

    static ClientTlsSettings tls(String tls, String subset) throws Exception {
        return new DestinationResolver(Http2SelectionTest.config(ENTRY.formatted(tls)))
                .resolve("api.example.com", subset, 443, "shop").destination().policy().tls();
    }

    @Test
    void theEntrysNamesFillInOnlyWhereTlsIsOriginatedWithoutNamesOfItsOwn() throws Exception {
        assertThat(tls("{mode: SIMPLE}", null).subjectAltNames())
                .containsExactly("api.example.com", "spiffe://example.com/api");
        assertThat(tls("{mode: SIMPLE, subjectAltNames: [other.example.com]}", null).subjectAltNames())
                .containsExactly("other.example.com");
        assertThat(tls("{mode: SIMPLE}", "own").subjectAltNames()).containsExactly("own.example.com");
        assertThat(tls("{mode: DISABLE}", null).subjectAltNames()).isEmpty();
    }

    /** A DestinationRule applies to declared hosts only: TLS it would originate to a DNS-only host is refused. */
    @Test
    void aDestinationToAnUndeclaredHostThatARuleWouldOriginateTlsToIsRefusedNotSentInPlaintext() throws Exception {
        String rule = """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: api, namespace: shop}
                spec:
                  host: api.example.com
                  trafficPolicy: %s
                """;
        var refused = new DestinationResolver(Http2SelectionTest.config(rule.formatted("{tls: {mode: SIMPLE}}")))
                .resolve("api.example.com", null, 443, "shop");
        assertThat(refused.ok()).isFalse();
        assertThat(refused.problem().message()).contains("DestinationRule shop/api originates TLS to it")
                .contains("declare the host with a ServiceEntry");
        var byPort = new DestinationResolver(Http2SelectionTest.config(rule.formatted(
                "{portLevelSettings: [{port: {number: 443}, tls: {mode: MUTUAL}}]}")));
        assertThat(byPort.resolve("api.example.com", null, 443, "shop").ok()).isFalse();
        assertThat(byPort.resolve("api.example.com.", null, 443, "shop").ok()).as("the same name, rooted").isFalse();
        assertThat(byPort.resolve("api.example.com", null, 80, "shop").ok()).as("port 80 is plaintext anyway")
                .isTrue();
        assertThat(new DestinationResolver(Http2SelectionTest.config(rule.formatted("{tls: {mode: SIMPLE}}")))
                .resolve("api.example.com", null, 443, "other").ok())
                .as("another namespace's rule is not the route's (a proxy looks in its own and the root's)").isTrue();
        assertThat(new DestinationResolver(Http2SelectionTest.config(rule.formatted("{tls: {mode: SIMPLE}}")
                .replace("namespace: shop", "namespace: istio-system"))).resolve("api.example.com", null, 443,
                "other").ok()).as("the root namespace's rule is everyone's").isFalse();
        assertThat(new DestinationResolver(Http2SelectionTest.config(rule.formatted("{tls: {mode: DISABLE}}")))
                .resolve("api.example.com", null, 443, "shop").ok()).as("no TLS to lose").isTrue();
        assertThat(new DestinationResolver(Http2SelectionTest.config(ENTRY.formatted("{mode: SIMPLE}")))
                .resolve("api.example.com", null, 443, "shop").ok()).as("declared: the rule applies").isTrue();
    }

    @Test
    void aServiceHasNoNamesOfItsOwn() throws Exception {
        var config = Http2SelectionTest.config("""
                apiVersion: v1
                kind: Service
                metadata: {name: api, namespace: shop}
                spec: {selector: {app: api}, ports: [{name: https, port: 443}]}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: api-1, namespace: shop}
                spec: {address: 10.0.0.1, labels: {app: api}}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: api, namespace: shop}
                spec: {host: api, trafficPolicy: {tls: {mode: SIMPLE}}}
                """);
        assertThat(new DestinationResolver(config).resolve("api.shop.svc.cluster.local", null, 443, "shop")
                .destination().policy().tls().subjectAltNames()).isEqualTo(List.of());
    }
}
