package io.kshift.proxy.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.proxy.config.RouteTableHolder;
import io.kshift.testkit.Bus;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocket;
import jakarta.inject.Inject;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * UDP through a Gateway API UDP listener and a UDPRoute, on real sockets: client sessions split by the route's exact
 * weights, every answer back to its own client from the listener's port, a session sticking to its endpoint, and a
 * weight change reaching new sessions only.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class UdpRoutingTest {
    @Inject
    RouteTableHolder tables;
    @Inject
    Vertx vertx;
    DatagramSocket one;
    DatagramSocket two;
    int gateway;
    final List<java.net.DatagramSocket> clients = new ArrayList<>();

    DatagramSocket echo(String word) throws Exception {
        DatagramSocket s = vertx.createDatagramSocket(new io.vertx.core.datagram.DatagramSocketOptions()
                .setReceiveBufferSize(65_535));
        s.handler(p -> s.send(io.vertx.core.buffer.Buffer.buffer(word + " " + p.data()), p.sender().port(),
                p.sender().host()));
        return s.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @BeforeEach
    void start() throws Exception {
        one = echo("one");
        two = echo("two");
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket(0)) {
            gateway = probe.getLocalPort();
        }
    }

    @AfterEach
    void stop() {
        one.close();
        two.close();
        clients.forEach(java.net.DatagramSocket::close);
    }

    String mesh(int weightOne, int weightTwo) {
        return mesh(weightOne, weightTwo, one.localAddress().port());
    }

    /** {@code onePort}: where Service udp-echo-one's endpoint listens. */
    String mesh(int weightOne, int weightTwo, int onePort) {
        StringBuilder out = new StringBuilder();
        for (var v : List.of(Map.entry("one", onePort), Map.entry("two", two.localAddress().port()))) {
            out.append("""
                    apiVersion: v1
                    kind: Service
                    metadata: {name: udp-echo-%1$s}
                    spec: {ports: [{name: udp, protocol: UDP, port: 5353}], selector: {app: udp-echo, word: %1$s}}
                    ---
                    apiVersion: networking.istio.io/v1
                    kind: WorkloadEntry
                    metadata: {name: udp-echo-%1$s}
                    spec: {address: 127.0.0.1, ports: {udp: %2$d}, labels: {app: udp-echo, word: %1$s}}
                    ---
                    """.formatted(v.getKey(), v.getValue()));
        }
        return out + """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: udp}
                spec:
                  gatewayClassName: kshift
                  listeners: [{name: dns, protocol: UDP, port: %d}]
                ---
                apiVersion: gateway.networking.k8s.io/v1alpha2
                kind: UDPRoute
                metadata: {name: udp-echo}
                spec:
                  parentRefs: [{name: udp, sectionName: dns}]
                  rules:
                  - backendRefs:
                    - {name: udp-echo-one, port: 5353, weight: %d}
                    - {name: udp-echo-two, port: 5353, weight: %d}
                """.formatted(gateway, weightOne, weightTwo);
    }

    void publish(String yaml) throws Exception {
        var parsed = ResourceReader.readBody(yaml.getBytes(StandardCharsets.UTF_8), BodyFormat.YAML);
        assertThat(parsed.errors()).isEmpty();
        long generation = tables.get().generation() + 1;
        MeshSnapshot snapshot = new MeshSnapshot(null, generation, UUID.randomUUID().toString(), Instant.now(),
                MeshConfig.empty().apply(parsed.resources()).config().all());
        Bus.send(MeshTopics.CONFIG, MeshTopics.MESH_KEY, EventCodec.encode(snapshot));
        await().atMost(Duration.ofSeconds(20)).until(() -> tables.get().generation() == generation);
    }

    java.net.DatagramSocket client() throws Exception {
        java.net.DatagramSocket c = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress());
        c.setSoTimeout(5000);
        clients.add(c);
        return c;
    }

    static String ask(java.net.DatagramSocket c, int port, String text) throws Exception {
        byte[] out = text.getBytes(StandardCharsets.UTF_8);
        c.send(new DatagramPacket(out, out.length, InetAddress.getLoopbackAddress(), port));
        DatagramPacket in = new DatagramPacket(new byte[1500], 1500);
        c.receive(in);
        assertThat(in.getPort()).as("answers come from the listener's port").isEqualTo(port);
        return new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8);
    }

    @Test
    void sessionsSplitExactlyAndKeepTheirEndpointAcrossAWeightChange() throws Exception {
        publish(mesh(80, 20));
        Map<String, Integer> counts = new TreeMap<>();
        List<String> firstAnswers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String answer = ask(client(), gateway, "hello " + i);
            assertThat(answer).endsWith(" hello " + i);
            firstAnswers.add(answer.split(" ")[0]);
            counts.merge(answer.split(" ")[0], 1, Integer::sum);
        }
        assertThat(counts).containsExactly(Map.entry("one", 8), Map.entry("two", 2));
        for (int i = 0; i < 10; i++) {
            assertThat(ask(clients.get(i), gateway, "again").split(" ")[0]).as("session %d sticks", i)
                    .isEqualTo(firstAnswers.get(i));
        }

        publish(mesh(0, 100));
        for (int i = 0; i < 10; i++) {
            assertThat(ask(clients.get(i), gateway, "still").split(" ")[0]).as("a live session keeps its destination")
                    .isEqualTo(firstAnswers.get(i));
        }
        assertThat(ask(client(), gateway, "new")).isEqualTo("two new");
    }

    /** A datagram over Netty's default 2 KiB read (an EDNS0 DNS answer, say) crosses whole, both ways. */
    @Test
    void largeDatagramsCrossWhole() throws Exception {
        publish(mesh(100, 0));
        java.net.DatagramSocket c = client();
        String big = "x".repeat(9000);
        byte[] out = big.getBytes(StandardCharsets.US_ASCII);
        c.send(new DatagramPacket(out, out.length, InetAddress.getLoopbackAddress(), gateway));
        DatagramPacket in = new DatagramPacket(new byte[65_535], 65_535);
        c.receive(in);
        assertThat(in.getLength()).as("bytes answered").isEqualTo(4 + big.length());
        assertThat(new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII).equals("one " + big))
                .as("the echo of all of it").isTrue();
    }

    /** A session whose endpoint leaves its destination ends; the client's next datagram starts a new one. */
    @Test
    void aSessionWhoseEndpointIsGoneMovesToTheDestinationsNewOne() throws Exception {
        publish(mesh(100, 0));
        java.net.DatagramSocket c = client();
        assertThat(ask(c, gateway, "a")).isEqualTo("one a");
        DatagramSocket moved = echo("uno");
        try {
            publish(mesh(100, 0, moved.localAddress().port()));
            assertThat(ask(c, gateway, "b")).isEqualTo("uno b");
        } finally {
            moved.close();
        }
    }

    /**
     * A session whose destination the route no longer names ends, though that service still exists: its client's
     * next datagram goes where the route now sends (a weight change, even to 0, keeps it, as the first test shows).
     */
    @Test
    void aSessionWhoseDestinationTheRouteLeftMovesToWhereTheRouteNowSends() throws Exception {
        publish(mesh(100, 0));
        java.net.DatagramSocket c = client();
        assertThat(ask(c, gateway, "a")).isEqualTo("one a");
        String onlyTwo = mesh(0, 100).replace("    - {name: udp-echo-one, port: 5353, weight: 0}\n", "");
        assertThat(onlyTwo).doesNotContain("{name: udp-echo-one, port");
        publish(onlyTwo);
        assertThat(ask(c, gateway, "b")).isEqualTo("two b");
    }
}
