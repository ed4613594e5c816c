package io.kshift.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.proxy.config.RouteTableHolder;
import io.kshift.samples.HttpEcho;
import io.kshift.samples.TcpEcho;
import io.kshift.samples.tls.DemoPki;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Gateway API BackendTLSPolicy through one proxy node with a real broker and an HTTPS backend whose certificate is
 * for {@code web.internal}: an HTTPRoute's requests reach it over TLS the node originates, its certificate checked
 * against a ConfigMap's CA for the policy's hostname or subject alternative names; a name or a CA it does not match
 * fails the connection (503), never falling back to plaintext or to an unchecked backend.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class BackendTlsPolicyTest {
    static final DemoPki PKI = DemoPki.create("backend-tls-policy-test-ca");
    static HttpEcho backend;
    static HttpEcho mutualHttp;
    static TcpEcho mutualTcp;
    static int gatewayPort;
    static int tcpPort;

    @Inject
    RouteTableHolder tables;

    @BeforeAll
    static void backend() throws Exception {
        backend = HttpEcho.startTls("127.0.0.1", 0, "tls-v1", PKI.sslContext(PKI.issue("web.internal")));
        mutualHttp = HttpEcho.startTls("127.0.0.1", 0, "mutual-v1", PKI.sslContext(PKI.issue("mutual.internal")),
                true);
        mutualTcp = TcpEcho.startTls("127.0.0.1", 0, "mutual", PKI.sslContext(PKI.issue("mutual.internal")), true);
        gatewayPort = TlsGatewayTest.freePort();
        tcpPort = TlsGatewayTest.freePort();
    }

    @AfterAll
    static void stop() throws Exception {
        backend.close();
        mutualHttp.close();
        mutualTcp.close();
    }

    String mesh(String validation) {
        return mesh(validation, PKI.caPem());
    }

    /** {@code caPem}: the CA in ConfigMap {@code internal-ca}. */
    String mesh(String validation, String caPem) {
        return """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: internal-ca}
                data:
                  ca.crt: |
                %s
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec: {ports: [{name: https, port: 8443}], selector: {app: web}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: web-1}
                spec: {address: 127.0.0.1, ports: {https: %d}, labels: {app: web}}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: edge}
                spec:
                  gatewayClassName: kshift
                  listeners: [{name: web, protocol: HTTP, port: %d}]
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: web}
                spec:
                  parentRefs: [{name: edge}]
                  hostnames: [web.example.com]
                  rules: [{backendRefs: [{name: web, port: 8443}]}]
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: BackendTLSPolicy
                metadata: {name: web}
                spec:
                  targetRefs: [{group: "", kind: Service, name: web, sectionName: https}]
                  validation:
                %s""".formatted(caPem.indent(4), backend.port(), gatewayPort, validation.indent(4));
    }

    String get() throws Exception {
        return get("web.example.com");
    }

    String get(String host) throws Exception {
        try (Socket s = new Socket("127.0.0.1", gatewayPort)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET /get HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * Backends that demand a client certificate, over HTTP and TCP, behind BackendTLSPolicies; {@code clientCert}:
     * the Gateway's {@code spec.tls.backend}, or none.
     */
    String mutual(String clientCert) {
        return mutual(clientCert, PKI);
    }

    /** {@code issuer}: the CA of the Gateway's client certificate. */
    String mutual(String clientCert, DemoPki issuer) {
        return mesh("""
                caCertificateRefs: [{group: "", kind: ConfigMap, name: internal-ca}]
                hostname: web.internal
                """).replace("  listeners: [{name: web, protocol: HTTP, port: %d}]".formatted(gatewayPort), """
                  listeners:
                  - {name: web, protocol: HTTP, port: %d}
                  - {name: tcp, protocol: TCP, port: %d}
                """.formatted(gatewayPort, tcpPort).stripTrailing() + clientCert) + """
                ---
                %s
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: mutual}
                spec: {ports: [{name: https, port: 8443}, {name: tls, port: 9443}], selector: {app: mutual}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: mutual-1}
                spec: {address: 127.0.0.1, ports: {https: %d, tls: %d}, labels: {app: mutual}}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: mutual}
                spec:
                  parentRefs: [{name: edge}]
                  hostnames: [mutual.example.com]
                  rules: [{backendRefs: [{name: mutual, port: 8443}]}]
                ---
                apiVersion: gateway.networking.k8s.io/v1alpha2
                kind: TCPRoute
                metadata: {name: mutual}
                spec:
                  parentRefs: [{name: edge, sectionName: tcp}]
                  rules: [{backendRefs: [{name: mutual, port: 9443}]}]
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: BackendTLSPolicy
                metadata: {name: mutual}
                spec:
                  targetRefs: [{group: "", kind: Service, name: mutual}]
                  validation:
                    caCertificateRefs: [{group: "", kind: ConfigMap, name: internal-ca}]
                    hostname: mutual.internal
                """.formatted(TlsGatewayTest.secret("gateway-client", issuer.issue("kshift-gateway")), mutualHttp.port(),
                mutualTcp.port());
    }

    String tcp() throws Exception {
        try (Socket s = new Socket("127.0.0.1", tcpPort)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("hi\n".getBytes(StandardCharsets.US_ASCII));
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
        }
    }

    @Test
    void theGatewaysClientCertificateGoesWithThePolicysTls() throws Exception {
        TlsGatewayTest.publish(tables, mutual(""));
        assertThat(get("mutual.example.com")).as("no client certificate: the backend refuses the handshake")
                .startsWith("HTTP/1.1 503");
        assertThat(tcp()).isNull();

        TlsGatewayTest.publish(tables, mutual("\n  tls: {backend: {clientCertificateRef: {name: gateway-client}}}"));
        assertThat(get("mutual.example.com")).startsWith("HTTP/1.1 200")
                .containsIgnoringCase("x-echo-version: mutual-v1");
        assertThat(tcp()).isEqualTo("mutual hi");
        assertThat(get()).as("the other backend takes the certificate too").startsWith("HTTP/1.1 200");

        // The Secret rotated to a certificate of a CA the backends do not trust: compiled routes are not reused
        // with the old one (their destinations resolve as before; their TLS does not).
        TlsGatewayTest.publish(tables, mutual("\n  tls: {backend: {clientCertificateRef: {name: gateway-client}}}",
                DemoPki.create("backend-tls-policy-test-stranger")));
        assertThat(get("mutual.example.com")).startsWith("HTTP/1.1 503");
        assertThat(tcp()).isNull();
    }

    @Test
    void requestsReachTheBackendOverTlsCheckedAsThePolicySays() throws Exception {
        TlsGatewayTest.publish(tables, mesh("""
                caCertificateRefs: [{group: "", kind: ConfigMap, name: internal-ca}]
                hostname: web.internal
                """));
        assertThat(get()).startsWith("HTTP/1.1 200").containsIgnoringCase("x-echo-version: tls-v1");
        // The CA bundle replaced by another CA's: the compiled route does not keep the old trust.
        TlsGatewayTest.publish(tables, mesh("""
                caCertificateRefs: [{group: "", kind: ConfigMap, name: internal-ca}]
                hostname: web.internal
                """, DemoPki.create("backend-tls-policy-test-other-ca").caPem()));
        assertThat(get()).startsWith("HTTP/1.1 503");

        // The SNI and the name checked is other.internal: the backend's certificate is not for it.
        TlsGatewayTest.publish(tables, mesh("""
                caCertificateRefs: [{group: "", kind: ConfigMap, name: internal-ca}]
                hostname: other.internal
                """));
        assertThat(get()).startsWith("HTTP/1.1 503");

        // A subject alternative name the certificate carries is checked instead of the hostname (still the SNI).
        TlsGatewayTest.publish(tables, mesh("""
                caCertificateRefs: [{group: "", kind: ConfigMap, name: internal-ca}]
                hostname: other.internal
                subjectAltNames: [{type: URI, uri: "spiffe://cluster.local/ns/default/sa/web"},
                                  {type: Hostname, hostname: web.internal}]
                """));
        assertThat(get()).startsWith("HTTP/1.1 200").containsIgnoringCase("x-echo-version: tls-v1");
        TlsGatewayTest.publish(tables, mesh("""
                caCertificateRefs: [{group: "", kind: ConfigMap, name: internal-ca}]
                hostname: web.internal
                subjectAltNames: [{type: URI, uri: "spiffe://cluster.local/ns/default/sa/web"}]
                """));
        assertThat(get()).as("the hostname no longer counts once names are given").startsWith("HTTP/1.1 503");

        // The JDK's trusted CAs do not include the test's CA.
        TlsGatewayTest.publish(tables, mesh("""
                wellKnownCACertificates: System
                hostname: web.internal
                """));
        assertThat(get()).startsWith("HTTP/1.1 503");
    }

    @Test
    void aCertificatesWildcardCoversOneLabelOfANameAskedFor() {
        assertThat(SubjectAltNameTrustManager.dnsMatch("*.internal", "web.internal")).isTrue();
        assertThat(SubjectAltNameTrustManager.dnsMatch("WEB.internal", "web.INTERNAL")).isTrue();
        assertThat(SubjectAltNameTrustManager.dnsMatch("*.internal", "a.web.internal")).isFalse();
        assertThat(SubjectAltNameTrustManager.dnsMatch("web.internal", "*.internal")).isFalse();
        assertThat(SubjectAltNameTrustManager.dnsMatch("*.internal", "*.internal")).isTrue();
    }
}
