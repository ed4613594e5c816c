package io.kshift.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.proxy.config.RouteTableHolder;
import io.kshift.samples.HttpEcho;
import io.kshift.samples.tls.DemoPki;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Istio's {@code subjectAltNames} on TLS a node originates, through one node with a real broker: an HTTPS backend
 * whose certificate names {@code web.internal}, a SPIFFE URI and an IP address is reached (200) when a
 * DestinationRule asks for any one of them, and refused (503) when it asks only for names the certificate lacks,
 * whatever its SNI name would have matched; a ServiceEntry's names apply where the DestinationRule gives none.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class SubjectAltNamesTest {
    static final DemoPki PKI = DemoPki.create("subject-alt-names-test-ca");
    static final String SPIFFE = "spiffe://cluster.local/ns/default/sa/web";
    static HttpEcho backend;
    static int gatewayPort;

    @Inject
    RouteTableHolder tables;

    @BeforeAll
    static void backend() throws Exception {
        backend = HttpEcho.startTls("127.0.0.1", 0, "tls-v1", PKI.sslContext(PKI.issue("web.internal", SPIFFE,
                "10.9.8.7")));
        gatewayPort = TlsGatewayTest.freePort();
    }

    @AfterAll
    static void stop() throws Exception {
        backend.close();
    }

    /** A Service {@code web} behind a gateway, its DestinationRule's tls as given. */
    String service(String tls) {
        return common("""
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec: {ports: [{name: https, port: 8443}], selector: {app: web}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: web-1}
                spec: {address: 127.0.0.1, ports: {https: %d}, labels: {app: web}}
                """.formatted(backend.port()), "web", tls);
    }

    /** A ServiceEntry {@code web.external} with {@code names} behind a gateway, its DestinationRule's tls as given. */
    String serviceEntry(List<String> names, String tls) {
        return common("""
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: web-external}
                spec:
                  hosts: [web.external]
                  ports: [{number: 8443, name: https, protocol: HTTPS}]
                  resolution: STATIC
                  endpoints: [{address: 127.0.0.1, ports: {https: %d}}]
                  subjectAltNames: %s
                """.formatted(backend.port(), names), "web.external", tls);
    }

    String common(String service, String host, String tls) {
        return service + """
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: internal-ca}
                data: {ca.crt: %s}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: web}
                spec:
                  host: %s
                  trafficPolicy: {tls: %s}
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: edge}
                spec:
                  servers: [{port: {number: %d, name: http, protocol: HTTP}, hosts: [web.example.com]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web}
                spec:
                  hosts: [web.example.com]
                  gateways: [edge]
                  http: [{route: [{destination: {host: %s, port: {number: 8443}}}]}]
                """.formatted(Base64.getEncoder().encodeToString(PKI.caPem().getBytes(StandardCharsets.US_ASCII)),
                host, tls, gatewayPort, host);
    }

    String get() throws Exception {
        try (Socket s = new Socket("127.0.0.1", gatewayPort)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /get HTTP/1.1\r\nHost: web.example.com\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    void publish(String yaml) throws Exception {
        TlsGatewayTest.publish(tables, yaml);
    }

    @Test
    void aDestinationRulesNamesAreCheckedInsteadOfTheSniName() throws Exception {
        String simple = "{mode: SIMPLE, credentialName: internal-ca, sni: %s, subjectAltNames: %s}";
        publish(service(simple.formatted("web.internal", "[]")));
        assertThat(get()).as("no names: the SNI name is checked").startsWith("HTTP/1.1 200");
        publish(service(simple.formatted("other.internal", "[]")));
        assertThat(get()).startsWith("HTTP/1.1 503");

        // Any one name the certificate carries will do, of each type; the SNI name no longer counts.
        for (String names : List.of("[nope.internal, web.internal]", "['" + SPIFFE + "']", "['10.9.8.7']")) {
            publish(service(simple.formatted("other.internal", names)));
            assertThat(get()).as(names).startsWith("HTTP/1.1 200").containsIgnoringCase("x-echo-version: tls-v1");
        }
        for (String names : List.of("[nope.internal]", "['spiffe://cluster.local/ns/default/sa/other']",
                "['10.9.8.6']", "['spiffe://cluster.local/ns/default/sa/web/']")) {
            publish(service(simple.formatted("web.internal", names)));
            assertThat(get()).as(names).startsWith("HTTP/1.1 503");
        }
        // A name is compared as written: a prefix makes it another name.
        publish(service(simple.formatted("web.internal", "['dns:web.internal']")));
        assertThat(get()).startsWith("HTTP/1.1 503");

        // insecureSkipVerify checks nothing, names included (the validator warns about both).
        publish(service("{mode: SIMPLE, insecureSkipVerify: true, subjectAltNames: [nope.internal]}"));
        assertThat(get()).startsWith("HTTP/1.1 200");
    }

    @Test
    void aServiceEntrysNamesApplyWhereTheDestinationRuleGivesNone() throws Exception {
        String simple = "{mode: SIMPLE, credentialName: internal-ca, sni: other.internal%s}";
        publish(serviceEntry(List.of("web.internal"), simple.formatted("")));
        assertThat(get()).startsWith("HTTP/1.1 200").containsIgnoringCase("x-echo-version: tls-v1");
        publish(serviceEntry(List.of("nope.internal"), simple.formatted("")));
        assertThat(get()).startsWith("HTTP/1.1 503");
        // The DestinationRule's own names win over the entry's.
        publish(serviceEntry(List.of("nope.internal"), simple.formatted(", subjectAltNames: ['" + SPIFFE + "']")));
        assertThat(get()).startsWith("HTTP/1.1 200");
        publish(serviceEntry(List.of("web.internal"), simple.formatted(", subjectAltNames: [nope.internal]")));
        assertThat(get()).startsWith("HTTP/1.1 503");
    }

    @Test
    void ipAddressesCompareAsAddressesAndUntypedNamesMatchAnyType() {
        assertThat(SubjectAltNameTrustManager.sameAddress("0:0:0:0:0:0:0:1", "::1")).isTrue();
        assertThat(SubjectAltNameTrustManager.sameAddress("10.9.8.7", "10.9.8.7")).isTrue();
        assertThat(SubjectAltNameTrustManager.sameAddress("10.9.8.7", "10.9.8.8")).isFalse();
        var wanted = SubjectAltNameTrustManager.Wanted.written(List.of("web.internal", SPIFFE, "::1", "10.0.0.1"));
        assertThat(wanted.dnsNames()).as("untyped: each is matched against every type").containsExactly(
                "web.internal", SPIFFE, "::1", "10.0.0.1");
        assertThat(wanted.ips()).as("and an IP literal as an address too").containsExactly("::1", "10.0.0.1");
    }
}
