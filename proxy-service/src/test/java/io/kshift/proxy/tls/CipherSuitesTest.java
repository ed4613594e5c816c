package io.kshift.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kshift.proxy.config.RouteTableHolder;
import io.kshift.samples.HttpEcho;
import io.kshift.samples.TcpEcho;
import io.kshift.samples.tls.DemoPki;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Istio's server {@code cipherSuites} on an HTTPS port (Vert.x's server) and a TLS port this node terminates
 * (Netty's): a TLS 1.2 client offering only a suite left out fails the handshake, one offering a listed suite gets
 * it, and TLS 1.3 is served as before (its suites are not Istio's to configure).
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class CipherSuitesTest {
    static final DemoPki PKI = DemoPki.create("cipher-suites-test-ca");
    static final DemoPki.Issued EDGE = PKI.issue("localhost");
    static final String CHOSEN = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    static final String LEFT_OUT = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
    static HttpEcho web;
    static TcpEcho echo;
    static int httpsPort;
    static int tlsPort;

    @Inject
    RouteTableHolder tables;

    @BeforeAll
    static void backends() throws Exception {
        web = HttpEcho.start("127.0.0.1", 0, "v1");
        echo = TcpEcho.start("127.0.0.1", 0, "one");
        httpsPort = TlsGatewayTest.freePort();
        tlsPort = TlsGatewayTest.freePort();
    }

    @AfterAll
    static void stop() throws Exception {
        web.close();
        echo.close();
    }

    String mesh(String ciphers) {
        return TlsGatewayTest.secret("edge-cert", EDGE) + """
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec: {ports: [{name: http, port: 8000}], selector: {app: web}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: web}
                spec: {address: 127.0.0.1, ports: {http: %d}, labels: {app: web}}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: echo}
                spec: {ports: [{name: tcp, port: 9000}], selector: {app: echo}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: echo}
                spec: {address: 127.0.0.1, ports: {tcp: %d}, labels: {app: echo}}
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: edge}
                spec:
                  servers:
                  - port: {number: %d, name: https, protocol: HTTPS}
                    hosts: ['*']
                    tls: {mode: SIMPLE, credentialName: edge-cert, cipherSuites: %s}
                  - port: {number: %d, name: tls, protocol: TLS}
                    hosts: ['*']
                    tls: {mode: SIMPLE, credentialName: edge-cert, cipherSuites: %s}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: edge}
                spec:
                  hosts: ['*']
                  gateways: [edge]
                  http: [{route: [{destination: {host: web}}]}]
                  tcp: [{match: [{port: %d}], route: [{destination: {host: echo}}]}]
                """.formatted(web.port(), echo.port(), httpsPort, ciphers, tlsPort, ciphers, tlsPort);
    }

    /** A handshake offering only {@code protocol} and {@code suites}; the suite agreed on. */
    static String handshake(int port, String protocol, String... suites) throws Exception {
        try (SSLSocket s = (SSLSocket) PKI.trustingContext().getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName("localhost")));
            p.setProtocols(new String[] {protocol});
            if (suites.length > 0) {
                p.setCipherSuites(suites);
            }
            s.setSSLParameters(p);
            s.startHandshake();
            return s.getSession().getCipherSuite();
        }
    }

    @Test
    void onlyTheListedSuitesAreOfferedOverTls12AndTls13IsUntouched() throws Exception {
        TlsGatewayTest.publish(tables, mesh("[ECDHE-ECDSA-AES128-GCM-SHA256]"));
        for (int port : new int[] {httpsPort, tlsPort}) {
            assertThat(handshake(port, "TLSv1.2", LEFT_OUT, CHOSEN)).isEqualTo(CHOSEN);
            assertThatThrownBy(() -> handshake(port, "TLSv1.2", LEFT_OUT)).as("port %d", port)
                    .isInstanceOf(javax.net.ssl.SSLException.class);
            assertThat(handshake(port, "TLSv1.3")).startsWith("TLS_AES_");
        }
        // Listed the other way round, the other suite is the one a TLS 1.2 client gets (a new port setting, in place).
        TlsGatewayTest.publish(tables, mesh("[ECDHE-ECDSA-AES256-GCM-SHA384]"));
        for (int port : new int[] {httpsPort, tlsPort}) {
            assertThat(handshake(port, "TLSv1.2", LEFT_OUT, CHOSEN)).as("port %d", port).isEqualTo(LEFT_OUT);
            assertThatThrownBy(() -> handshake(port, "TLSv1.2", CHOSEN)).isInstanceOf(javax.net.ssl.SSLException.class);
        }
    }
}
