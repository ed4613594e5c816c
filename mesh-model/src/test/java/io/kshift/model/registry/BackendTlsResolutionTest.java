package io.kshift.model.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.ResourceKey;
import org.junit.jupiter.api.Test;

/** Which BackendTLSPolicy applies to a destination's port, and what it asks of the proxies. */
class BackendTlsResolutionTest {
    static final String SERVICE = """
            apiVersion: v1
            kind: Service
            metadata: {name: api, namespace: shop}
            spec:
              selector: {app: api}
              ports: [{name: https, port: 443}, {name: admin, port: 8443}, {name: plain, port: 80}]
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: api-1, namespace: shop}
            spec: {address: 10.0.0.1, labels: {app: api}}
            """;

    static final String WHOLE = """
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: BackendTLSPolicy
            metadata: {name: whole, namespace: shop, creationTimestamp: "2026-01-01T00:00:00Z"}
            spec:
              targetRefs: [{group: "", kind: Service, name: api}]
              validation:
                caCertificateRefs: [{group: "", kind: ConfigMap, name: shop-ca}, {group: "", kind: Secret, name: more}]
                hostname: api.shop.internal
            """;

    static final String ADMIN = """
            ---
            apiVersion: gateway.networking.k8s.io/v1alpha3
            kind: BackendTLSPolicy
            metadata: {name: admin, namespace: shop, creationTimestamp: "2026-02-01T00:00:00Z"}
            spec:
              targetRefs: [{group: "", kind: Service, name: api, sectionName: admin}]
              validation:
                wellKnownCACertificates: System
                hostname: admin.shop.example
                subjectAltNames:
                - {type: Hostname, hostname: "*.shop.example"}
                - {type: URI, uri: "spiffe://shop/admin"}
            """;

    static BackendTls tls(MeshConfig config, int port) {
        return new DestinationResolver(config).resolve("api.shop.svc.cluster.local", null, port, "shop")
                .destination().backendTls();
    }

    @Test
    void aPolicyForTheServiceAppliesToEachPortAndOneForASectionToItsPortFirst() throws Exception {
        MeshConfig config = Http2SelectionTest.config(SERVICE + WHOLE + ADMIN);
        BackendTls https = tls(config, 443);
        assertThat(https.policy()).isEqualTo(new ResourceKey(Kind.BACKEND_TLS_POLICY, "shop", "whole"));
        assertThat(https.hostname()).isEqualTo("api.shop.internal");
        assertThat(https.caBundles()).containsExactly(new ResourceKey(Kind.CONFIG_MAP, "shop", "shop-ca"),
                new ResourceKey(Kind.SECRET, "shop", "more"));
        assertThat(https.systemCas()).isFalse();
        assertThat(https.dnsNames()).isEmpty();

        BackendTls admin = tls(config, 8443);
        assertThat(admin.policy().name()).as("the section's policy, though younger").isEqualTo("admin");
        assertThat(admin.systemCas()).isTrue();
        assertThat(admin.dnsNames()).containsExactly("*.shop.example");
        assertThat(admin.uris()).containsExactly("spiffe://shop/admin");
        assertThat(tls(config, 80).policy().name()).isEqualTo("whole");
    }

    @Test
    void theOldestOfTwoPoliciesForOneTargetWins() throws Exception {
        String younger = WHOLE.replace("name: whole", "name: a-younger").replace("2026-01-01", "2026-03-01")
                .replace("api.shop.internal", "other.internal");
        assertThat(tls(Http2SelectionTest.config(SERVICE + younger + WHOLE), 443).policy().name()).isEqualTo("whole");
    }

    @Test
    void aDestinationRuleThatOriginatesTlsTakesPrecedenceAndOneThatDoesNotNeverMakesItPlaintext() throws Exception {
        MeshConfig config = Http2SelectionTest.config(SERVICE + WHOLE + """
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: api, namespace: shop}
                spec:
                  host: api
                  trafficPolicy:
                    portLevelSettings:
                    - {port: {number: 80}, tls: {mode: SIMPLE, sni: plain.internal}}
                    - {port: {number: 443}, tls: {mode: DISABLE}}
                    - {port: {number: 8443}, tls: {sni: admin.internal}}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: other, namespace: shop}
                spec: {selector: {app: api}, ports: [{name: https, port: 443}]}
                """);
        assertThat(tls(config, 80)).as("the rule's SIMPLE tls for port 80").isNull();
        assertThat(tls(config, 443)).as("DISABLE does not turn the policy off").isNotNull();
        assertThat(tls(config, 8443)).as("nor does a tls without a mode").isNotNull();
        assertThat(new DestinationResolver(config).resolve("other", null, 443, "shop").destination().backendTls())
                .isNull();
    }

    @Test
    void aChangedPolicyAffectsTheServicesItTargets() throws Exception {
        MeshConfig before = Http2SelectionTest.config(SERVICE + WHOLE);
        MeshConfig after = Http2SelectionTest.config(SERVICE + WHOLE.replace("api.shop.internal", "x.internal"));
        var changed = before.changedKeys(after);
        DestinationResolver was = new DestinationResolver(before);
        DestinationResolver now = was.after(after, changed);
        assertThat(now).isNotSameAs(was);
        assertThat(AffectedServices.between(before, was, after, now, changed).affects("api.shop.svc.cluster.local"))
                .isTrue();
    }
}
