package io.kshift.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.proxy.config.RouteTableHolder;
import io.kshift.samples.TcpEcho;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Istio's DestinationRule {@code tunnel}: a TCP route's connections to an HTTP proxy ask it, by CONNECT, for the
 * tunnel's target and carry the client's bytes through; a proxy that refuses the CONNECT (407) counts as an endpoint
 * that refused, and the next endpoint is tried. Real sockets: a CONNECT proxy of the test's own, a tcp-echo target.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class TunnelTest {
    static TcpEcho target;
    static ConnectProxy proxy;
    static ConnectProxy refusing;
    static int gatewayPort;

    @Inject
    RouteTableHolder tables;

    /** A CONNECT proxy: answers {@code status} to every CONNECT (with {@code banner} after a 200) and pipes on. */
    static final class ConnectProxy implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0);
        final List<String> asked = new CopyOnWriteArrayList<>();
        volatile boolean trickle;

        ConnectProxy(String answer) throws Exception {
            Thread accept = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket client = server.accept();
                        new Thread(() -> serve(client, answer)).start();
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            accept.setDaemon(true);
            accept.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void serve(Socket client, String answer) {
            try (client) {
                InputStream in = client.getInputStream();
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                    int b = in.read();
                    if (b < 0) {
                        return;
                    }
                    head.write(b);
                }
                String request = head.toString(StandardCharsets.ISO_8859_1);
                asked.add(request);
                byte[] bytes = answer.getBytes(StandardCharsets.ISO_8859_1);
                if (trickle) { // a byte at a time: the head's end found across many reads
                    for (byte x : bytes) {
                        client.getOutputStream().write(x);
                        client.getOutputStream().flush();
                    }
                } else {
                    client.getOutputStream().write(bytes);
                    client.getOutputStream().flush();
                }
                if (!answer.startsWith("HTTP/1.1 200")) {
                    return;
                }
                String authority = request.substring("CONNECT ".length(), request.indexOf(' ', "CONNECT ".length()));
                int colon = authority.lastIndexOf(':');
                try (Socket upstream = new Socket(authority.substring(0, colon),
                        Integer.parseInt(authority.substring(colon + 1)))) {
                    Thread back = new Thread(() -> pipe(upstream, client));
                    back.start();
                    pipe(client, upstream);
                    back.join(5000);
                }
            } catch (Exception e) {
                // the test sees what reached the client
            }
        }

        private static void pipe(Socket from, Socket to) {
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                byte[] buf = new byte[4096];
                for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                    out.write(buf, 0, n);
                    out.flush();
                }
                to.shutdownOutput();
            } catch (Exception e) {
                // one side closed
            }
        }

        @Override
        public void close() throws Exception {
            server.close();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        target = TcpEcho.start("127.0.0.1", 0, "one");
        proxy = new ConnectProxy("HTTP/1.1 200 Connection established\r\nVia: test\r\n\r\nbanner\n");
        refusing = new ConnectProxy("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n");
        try (ServerSocket probe = new ServerSocket(0)) {
            gatewayPort = probe.getLocalPort();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        target.close();
        proxy.close();
        refusing.close();
    }

    String mesh(String endpoints) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: egress-proxy}
                spec: {ports: [{name: tcp-proxy, port: 3128}], selector: {app: egress-proxy}}
                ---
                %s
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: egress-proxy}
                spec:
                  host: egress-proxy
                  trafficPolicy:
                    loadBalancer: {simple: ROUND_ROBIN}
                    tunnel: {protocol: CONNECT, targetHost: 127.0.0.1, targetPort: %d}
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: edge}
                spec:
                  servers: [{port: {number: %d, name: tcp, protocol: TCP}, hosts: ['*']}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: out}
                spec:
                  hosts: ['*']
                  gateways: [edge]
                  tcp: [{route: [{destination: {host: egress-proxy, port: {number: 3128}}}]}]
                """.formatted(endpoints, target.port(), gatewayPort);
    }

    void publish(String yaml) throws Exception {
        publish(tables, yaml);
    }

    /** {@code yaml} as the node's next generation, on the bus as the validator puts it, once the node runs it. */
    static void publish(RouteTableHolder tables, String yaml) throws Exception {
        long generation = tables.get().generation() + 1;
        var parsed = io.kshift.model.codec.ResourceReader.readBody(yaml.getBytes(StandardCharsets.UTF_8),
                io.kshift.model.codec.BodyFormat.YAML);
        assertThat(parsed.errors()).isEmpty();
        io.kshift.testkit.Bus.send(io.kshift.model.event.MeshTopics.CONFIG, io.kshift.model.event.MeshTopics.MESH_KEY,
                io.kshift.model.event.EventCodec.encode(new io.kshift.model.event.MeshSnapshot(null, generation,
                        java.util.UUID.randomUUID().toString(), java.time.Instant.now(),
                        io.kshift.model.mesh.MeshConfig.empty().apply(parsed.resources()).config().all())));
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                .until(() -> tables.get().generation() == generation);
    }

    static String endpoint(String name, int port) {
        return """
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: %s}
                spec: {address: 127.0.0.1, ports: {tcp-proxy: %d}, labels: {app: egress-proxy}}
                """.formatted(name, port);
    }

    static List<String> converse(String line) throws Exception {
        try (Socket s = new Socket("127.0.0.1", gatewayPort)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            return List.of(String.valueOf(in.readLine()), String.valueOf(in.readLine()));
        }
    }

    @Test
    void aTcpRouteIsCarriedThroughTheProxysConnectTunnel() throws Exception {
        publish(mesh(endpoint("proxy-1", proxy.port())));
        proxy.asked.clear();
        assertThat(converse("hello")).as("what the proxy sent after its answer first, then the target's echo")
                .containsExactly("banner", "one hello");
        assertThat(proxy.asked).singleElement().isEqualTo("CONNECT 127.0.0.1:" + target.port() + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + target.port() + "\r\n\r\n");
        proxy.trickle = true;
        try {
            assertThat(converse("slowly")).as("an answer a byte at a time").containsExactly("banner", "one slowly");
        } finally {
            proxy.trickle = false;
        }
    }

    @Test
    void aProxyThatRefusesTheConnectIsAnEndpointThatRefused() throws Exception {
        // Round-robin over a refusing proxy and a willing one: every connection gets through, by the second.
        publish(mesh(endpoint("proxy-1", refusing.port()) + "---\n"
                + endpoint("proxy-2", proxy.port())));
        refusing.asked.clear();
        for (int i = 0; i < 4; i++) {
            assertThat(converse("try " + i)).containsExactly("banner", "one try " + i);
        }
        assertThat(refusing.asked).as("the refusing proxy was asked, and passed over").isNotEmpty();
    }
}
