package io.kshift.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.proxy.config.RouteTableHolder;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Istio's DestinationRule {@code proxyProtocol}: the header's bytes for each version and address family, and a TCP
 * route's upstream connection starting with it (the client's address and the gateway's) before the client's bytes.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class ProxyProtocolTest {
    static ServerSocket backend;
    static int gatewayPort;

    @Inject
    RouteTableHolder tables;

    @BeforeAll
    static void start() throws Exception {
        // Answers each connection with the first two lines it read: the PROXY header, then the client's line.
        backend = new ServerSocket(0);
        Thread accept = new Thread(() -> {
            while (!backend.isClosed()) {
                try (Socket s = backend.accept()) {
                    var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                    String header = in.readLine();
                    String line = in.readLine();
                    s.getOutputStream().write((header + "|" + line + "\n").getBytes(StandardCharsets.ISO_8859_1));
                } catch (Exception e) {
                    // next connection
                }
            }
        });
        accept.setDaemon(true);
        accept.start();
        try (ServerSocket probe = new ServerSocket(0)) {
            gatewayPort = probe.getLocalPort();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        backend.close();
    }

    @Test
    void headersSayBothAddressesInEachVersion() {
        var src = new InetSocketAddress("192.0.2.10", 51000);
        var dst = new InetSocketAddress("198.51.100.1", 443);
        assertThat(new String(ProxyProtocolHeader.encode(1, src, dst), StandardCharsets.US_ASCII))
                .isEqualTo("PROXY TCP4 192.0.2.10 198.51.100.1 51000 443\r\n");
        assertThat(HexFormat.of().formatHex(ProxyProtocolHeader.encode(2, src, dst))).isEqualTo(
                "0d0a0d0a000d0a515549540a" + "21" + "11" + "000c" + "c000020a" + "c6336401" + "c738" + "01bb");
        var src6 = new InetSocketAddress("2001:db8::1", 51000);
        var dst6 = new InetSocketAddress("2001:db8::2", 443);
        assertThat(new String(ProxyProtocolHeader.encode(1, src6, dst6), StandardCharsets.US_ASCII))
                .isEqualTo("PROXY TCP6 2001:db8::1 2001:db8::2 51000 443\r\n");
        assertThat(ProxyProtocolHeader.encode(2, src6, dst6)).hasSize(16 + 36);
        assertThat(new String(ProxyProtocolHeader.encode(1, src, dst6), StandardCharsets.US_ASCII))
                .as("two families: unknown").isEqualTo("PROXY UNKNOWN\r\n");
        assertThat(HexFormat.of().formatHex(ProxyProtocolHeader.encode(2, src, dst6)))
                .isEqualTo("0d0a0d0a000d0a515549540a" + "21" + "00" + "0000");
    }

    @Test
    void aTcpRoutesConnectionStartsWithTheClientsAddress() throws Exception {
        TunnelTest.publish(tables, """
                apiVersion: v1
                kind: Service
                metadata: {name: legacy}
                spec: {ports: [{name: tcp, port: 9000}], selector: {app: legacy}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: legacy-1}
                spec: {address: 127.0.0.1, ports: {tcp: %d}, labels: {app: legacy}}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: legacy}
                spec: {host: legacy, trafficPolicy: {proxyProtocol: {version: V1}}}
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: edge}
                spec:
                  servers: [{port: {number: %d, name: tcp, protocol: TCP}, hosts: ['*']}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: legacy}
                spec:
                  hosts: ['*']
                  gateways: [edge]
                  tcp: [{route: [{destination: {host: legacy}}]}]
                """.formatted(backend.getLocalPort(), gatewayPort));
        try (Socket s = new Socket("127.0.0.1", gatewayPort)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            assertThat(answer).isEqualTo("PROXY TCP4 127.0.0.1 127.0.0.1 " + s.getLocalPort() + " " + gatewayPort
                    + "|hello");
        }
    }
}
