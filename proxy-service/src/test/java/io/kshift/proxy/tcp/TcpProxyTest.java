package io.kshift.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.event.ProxyStatus;
import io.kshift.proxy.SampleSnapshots;
import io.kshift.proxy.config.RouteTableHolder;
import io.kshift.samples.TcpEcho;
import io.kshift.testkit.EmbeddedKafka;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One proxy node, a real broker, real tcp-echo backends, real sockets: where do connections land? */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class TcpProxyTest {
    static TcpEcho v1;
    static TcpEcho v2;
    static int gatewayPort;

    @Inject
    RouteTableHolder tables;
    @Inject
    Vertx vertx;

    @BeforeAll
    static void backends() throws Exception {
        v1 = TcpEcho.start("127.0.0.1", 0, "one");
        v2 = TcpEcho.start("127.0.0.1", 0, "two");
        try (ServerSocket probe = new ServerSocket(0)) {
            gatewayPort = probe.getLocalPort();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        v1.close();
        v2.close();
    }

    void publish(String... files) {
        long generation = tables.get().generation() + 1;
        new SampleSnapshots(gatewayPort, v1.port(), v2.port()).publish(generation, files);
        await().atMost(Duration.ofSeconds(20)).until(() -> tables.get().generation() == generation);
    }

    static String exchange(Socket socket, String line) throws Exception {
        socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    static Map<String, Integer> connect(int n) throws Exception {
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            try (Socket s = new Socket("127.0.0.1", gatewayPort)) {
                s.setSoTimeout(5000);
                String answer = exchange(s, "hello " + i);
                counts.merge(answer.split(" ")[0], 1, Integer::sum);
            }
        }
        return counts;
    }

    @Test
    void shiftsTrafficWithoutTouchingLiveConnections() throws Exception {
        assertThat(vertx.isNativeTransportEnabled()).as("epoll, for SO_REUSEPORT").isTrue();
        publish("tcp-echo-services.yaml", "tcp-echo-all-v1.yaml");
        assertThat(connect(100)).containsExactly(Map.entry("one", 100));

        try (Socket held = new Socket("127.0.0.1", gatewayPort)) {
            held.setSoTimeout(5000);
            assertThat(exchange(held, "before")).isEqualTo("one before");
            publish("tcp-echo-services.yaml", "tcp-echo-all-v1.yaml", "tcp-echo-20-v2.yaml");
            assertThat(connect(100)).containsExactly(Map.entry("one", 80), Map.entry("two", 20));
            assertThat(exchange(held, "after")).as("a live connection keeps its upstream").isEqualTo("one after");
        }
    }

    @Test
    void passesAHalfCloseOnAndStillDeliversTheAnswer() throws Exception {
        publish("tcp-echo-services.yaml", "tcp-echo-all-v1.yaml");
        for (int i = 0; i < 20; i++) {
            try (Socket s = new Socket("127.0.0.1", gatewayPort)) {
                s.setSoTimeout(5000);
                // Like `date | nc`: the line and the FIN leave together, before the proxy has an upstream.
                s.getOutputStream().write(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
                s.shutdownOutput();
                var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                assertThat(in.readLine()).isEqualTo("one line " + i);
                assertThat(in.readLine()).as("the backend's FIN comes back as end of stream").isNull();
            }
        }
    }

    @Test
    void anUpstreamThatFinishesFirstStillGetsWhatTheClientSendsAfterItsFin() throws Exception {
        byte[] payload = new byte[4 << 20];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31 + (i >>> 11));
        }
        try (ServerSocket backend = new ServerSocket(0)) {
            // A server that speaks first: 4 MiB, then its FIN, then it reads what the client still has to say.
            var received = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try (Socket s = backend.accept()) {
                    s.getOutputStream().write(payload);
                    s.shutdownOutput();
                    return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            long generation = tables.get().generation() + 1;
            new SampleSnapshots(gatewayPort, backend.getLocalPort(), v2.port()).publish(generation,
                    "tcp-echo-services.yaml", "tcp-echo-all-v1.yaml");
            await().atMost(Duration.ofSeconds(20)).until(() -> tables.get().generation() == generation);
            try (Socket client = new Socket("127.0.0.1", gatewayPort)) {
                client.setSoTimeout(10_000);
                Thread.sleep(300); // a slow reader: the proxy stops reading the backend until the client catches up
                byte[] got = client.getInputStream().readAllBytes();
                assertThat(got).as("every byte, then the backend's FIN as end of stream").isEqualTo(payload);
                client.getOutputStream().write("after your FIN\n".getBytes(StandardCharsets.UTF_8));
                client.shutdownOutput();
                assertThat(received.get(10, java.util.concurrent.TimeUnit.SECONDS))
                        .as("what the client sent after the backend's FIN, then the client's FIN")
                        .isEqualTo("after your FIN\n");
            }
        }
    }

    @Test
    void aRefusingEndpointIsSkippedForTheNextOneOfItsSubset() throws Exception {
        int dead;
        try (ServerSocket probe = new ServerSocket(0)) {
            dead = probe.getLocalPort();
        }
        publish("tcp-echo-services.yaml", "tcp-echo-all-v1.yaml", """
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: tcp-echo-v1-dead}
                spec:
                  address: 127.0.0.1
                  ports: {tcp: %d}
                  labels: {app: tcp-echo, version: v1}
                """.formatted(dead));
        assertThat(tables.get().route(gatewayPort).orElseThrow().targets().get(0).endpoints().size()).isEqualTo(2);
        assertThat(connect(20)).as("every connection lands on the live v1 endpoint").containsExactly(Map.entry("one", 20));
    }

    @Test
    void aConnectionNoEndpointAcceptedIsCountedAsAnUpstreamFailure() throws Exception {
        int dead;
        try (ServerSocket probe = new ServerSocket(0)) {
            dead = probe.getLocalPort();
        }
        long generation = tables.get().generation() + 1;
        new SampleSnapshots(gatewayPort, dead, v2.port()).publish(generation, "tcp-echo-services.yaml",
                "tcp-echo-all-v1.yaml");
        await().atMost(Duration.ofSeconds(20)).until(() -> tables.get().generation() == generation);
        double failed = flagCount("UF");
        try (Socket s = new Socket("127.0.0.1", gatewayPort)) {
            s.setSoTimeout(5000);
            assertThat(closedByPeer(s)).as("v1's one endpoint refuses: the client is closed").isTrue();
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(flagCount("UF") - failed).as("counted UF, Envoy's upstream connection failure").isEqualTo(1.0));
    }

    @Test
    void aConnectionTriesAtMostThreeEndpointsBeforeItFails() throws Exception {
        StringBuilder dead = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            try (ServerSocket probe = new ServerSocket(0)) {
                dead.append("""
                        ---
                        apiVersion: networking.istio.io/v1
                        kind: WorkloadEntry
                        metadata: {name: tcp-echo-v1-dead-%d}
                        spec:
                          address: 127.0.0.1
                          ports: {tcp: %d}
                          labels: {app: tcp-echo, version: v1, state: dead}
                        """.formatted(i, probe.getLocalPort()));
            }
        }
        publish("tcp-echo-services.yaml", dead + """
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: tcp-echo-gateway}
                spec:
                  selector: {istio: ingressgateway}
                  servers:
                  - port: {number: 31400, name: tcp, protocol: TCP}
                    hosts: ["*"]
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: tcp-echo}
                spec:
                  host: tcp-echo
                  subsets:
                  - {name: dead, labels: {state: dead}}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: tcp-echo}
                spec:
                  hosts: ["*"]
                  gateways: [tcp-echo-gateway]
                  tcp:
                  - match: [{port: 31400}]
                    route:
                    - destination: {host: tcp-echo, port: {number: 9000}, subset: dead}
                """);
        assertThat(tables.get().route(gatewayPort).orElseThrow().targets().get(0).endpoints().size()).isEqualTo(5);
        double failed = flagCount("UF");
        double refused = connectFailures();
        try (Socket s = new Socket("127.0.0.1", gatewayPort)) {
            s.setSoTimeout(5000);
            assertThat(closedByPeer(s)).isTrue();
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(flagCount("UF") - failed).isEqualTo(1.0);
            assertThat(connectFailures() - refused).as("kshift.proxy.tcp.max-connect-attempts").isEqualTo(3.0);
        });
    }

    /** The node's {@code kshift_connect_failures} on this class's gateway listener, every reason and version. */
    static double connectFailures() {
        return listenerMetric("kshift_connect_failures", "");
    }

    @Test
    void carriesBulkDataIntactAndInOrder() throws Exception {
        publish("tcp-echo-services.yaml", "tcp-echo-all-v1.yaml");
        int lines = 2_000;
        String payload = "x".repeat(10_000);
        try (Socket s = new Socket("127.0.0.1", gatewayPort)) {
            s.setSoTimeout(20_000);
            var reader = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                    for (int i = 0; i < lines; i++) {
                        if (!("one " + i + " " + payload).equals(in.readLine())) {
                            return "line " + i + " arrived damaged or out of order";
                        }
                    }
                    return "ok";
                } catch (java.io.IOException e) {
                    return e.toString();
                }
            });
            var out = new java.io.BufferedOutputStream(s.getOutputStream(), 1 << 16);
            for (int i = 0; i < lines; i++) {
                out.write((i + " " + payload + "\n").getBytes(StandardCharsets.UTF_8));
            }
            out.flush();
            assertThat(reader.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("ok");
        }
    }

    /** The task's DestinationRule with these {@code connectionPool.tcp} settings. */
    static String tcpPool(String settings) {
        return """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: tcp-echo-destination}
                spec:
                  host: tcp-echo
                  trafficPolicy:
                    connectionPool:
                      tcp: {%s}
                  subsets:
                  - {name: v1, labels: {version: v1}}
                  - {name: v2, labels: {version: v2}}
                """.formatted(settings);
    }

    static boolean closedByPeer(Socket s) {
        try {
            return s.getInputStream().read() == -1;
        } catch (java.io.IOException e) {
            return true;
        }
    }

    @Inject
    ListenerManager listeners;

    @Test
    void aDrainDeadlineNeverBlocksAnEventLoopOnTheListenerLock() throws Exception {
        publish("tcp-echo-services.yaml", "tcp-echo-all-v1.yaml");
        publish("tcp-echo-services.yaml"); // the listener drains; its deadline is 2 s away in tests
        Object manager = io.quarkus.arc.ClientProxy.unwrap(listeners);
        java.util.List<String> stuck = new java.util.ArrayList<>();
        // As a reconcile does while ports bind: the lock held past the deadline.
        synchronized (manager) {
            Thread.sleep(2500);
            for (io.netty.util.concurrent.EventExecutor loop : vertx.nettyEventLoopGroup()) {
                try {
                    loop.submit(() -> { }).get(2, java.util.concurrent.TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    stuck.add(loop.toString());
                }
            }
        }
        assertThat(stuck).as("event loops blocked by the drain deadline").isEmpty();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThatThrownBy(() -> new Socket("127.0.0.1", gatewayPort).close())
                        .isInstanceOf(java.net.ConnectException.class));
    }

    @Test
    void drainsARemovedListenerUntilItsDeadline() throws Exception {
        publish("tcp-echo-services.yaml", "tcp-echo-all-v1.yaml");
        try (Socket held = new Socket("127.0.0.1", gatewayPort)) {
            held.setSoTimeout(10_000);
            assertThat(exchange(held, "before")).isEqualTo("one before");
            publish("tcp-echo-services.yaml");
            try (Socket late = new Socket("127.0.0.1", gatewayPort)) {
                late.setSoTimeout(5000);
                assertThat(closedByPeer(late)).as("the removed listener routes nothing new").isTrue();
            }
            assertThat(exchange(held, "draining")).as("a live connection drains").isEqualTo("one draining");
            assertThat(closedByPeer(held)).as("closed at the drain deadline (2 s in tests)").isTrue();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThatThrownBy(() -> new Socket("127.0.0.1", gatewayPort).close())
                            .isInstanceOf(java.net.ConnectException.class));
        }
    }

    @Test
    void aPortThatCouldNotBeBoundIsTriedAgainWithoutANewGeneration() throws Exception {
        publish("tcp-echo-services.yaml");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThatThrownBy(() -> new Socket("127.0.0.1", gatewayPort).close())
                        .isInstanceOf(java.net.ConnectException.class));
        // Another process holds the port (no SO_REUSEPORT): the node cannot bind it.
        try (java.net.ServerSocket squatter = new java.net.ServerSocket(gatewayPort, 50,
                java.net.InetAddress.getLoopbackAddress())) {
            publish("tcp-echo-services.yaml", "tcp-echo-all-v1.yaml");
            Thread.sleep(500);
        }
        // Gone: the node takes the port within its retry period, with no config change.
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() -> {
            try (Socket s = new Socket("127.0.0.1", gatewayPort)) {
                s.setSoTimeout(2000);
                assertThat(exchange(s, "back")).isEqualTo("one back");
            }
        });
    }

    /** The node's {@code kshift_response_flags} for {@code flag} on this class's gateway listener, all versions. */
    static double flagCount(String flag) {
        return listenerMetric("kshift_response_flags", "response_flags=\"" + flag + "\"");
    }

    /** The sum of the node's {@code metric} series on this class's gateway listener whose labels contain {@code label}. */
    private static double listenerMetric(String metric, String label) {
        String metrics = io.kshift.testkit.Api.asAdmin().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith(metric)
                        && l.contains("kshift_listener=\"tcp:" + gatewayPort + "\"") && l.contains(label))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void useSourceIpKeepsAClientsConnectionsOnOneEndpoint() throws Exception {
        try (TcpEcho uno = TcpEcho.start("127.0.0.1", 0, "uno")) {
            String second = """
                    apiVersion: networking.istio.io/v1
                    kind: WorkloadEntry
                    metadata: {name: tcp-echo-v1b}
                    spec: {address: 127.0.0.1, ports: {tcp: %d}, labels: {app: tcp-echo, version: v1}}
                    """.formatted(uno.port());
            publish("tcp-echo-services.yaml", second, "tcp-echo-all-v1.yaml");
            assertThat(connect(20)).as("round robin over both v1 endpoints")
                    .containsExactly(Map.entry("one", 10), Map.entry("uno", 10));
            publish("tcp-echo-services.yaml", second, "tcp-echo-all-v1.yaml", """
                    apiVersion: networking.istio.io/v1
                    kind: DestinationRule
                    metadata: {name: tcp-echo-destination}
                    spec:
                      host: tcp-echo
                      trafficPolicy: {loadBalancer: {consistentHash: {useSourceIp: true}}}
                      subsets:
                      - {name: v1, labels: {version: v1}}
                      - {name: v2, labels: {version: v2}}
                    """);
            assertThat(connect(20)).as("one client address, one endpoint").hasSize(1)
                    .containsValue(20);
        }
    }

    @Test
    void maxConnectionsRefusesConnectionsOverTheLimitAndAdmitsThemAgainAfter() throws Exception {
        publish("tcp-echo-services.yaml", "tcp-echo-all-v1.yaml", tcpPool("maxConnections: 1"));
        double overflows = flagCount("UO");
        try (Socket held = new Socket("127.0.0.1", gatewayPort)) {
            held.setSoTimeout(5000);
            assertThat(exchange(held, "first")).isEqualTo("one first");
            try (Socket over = new Socket("127.0.0.1", gatewayPort)) {
                over.setSoTimeout(5000);
                assertThat(closedByPeer(over)).as("over maxConnections: closed at accept").isTrue();
            }
        }
        assertThat(flagCount("UO") - overflows).as("the refused connection is counted as an overflow").isEqualTo(1.0);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(connect(1)).containsExactly(
                Map.entry("one", 1)));
    }

    @Test
    void maxConnectionDurationClosesLongLivedConnectionsSoTheyRebalance() throws Exception {
        publish("tcp-echo-services.yaml", "tcp-echo-all-v1.yaml", tcpPool("maxConnectionDuration: 1s"));
        try (Socket held = new Socket("127.0.0.1", gatewayPort)) {
            held.setSoTimeout(10_000);
            assertThat(exchange(held, "young")).isEqualTo("one young");
            long start = System.nanoTime();
            assertThat(closedByPeer(held)).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(9));
        }
    }

    @Test
    void anIdleConnectionIsClosedAtTheDestinationsIdleTimeoutWhileABusyOneStaysOpen() throws Exception {
        publish("tcp-echo-services.yaml", "tcp-echo-all-v1.yaml", tcpPool("idleTimeout: 1s"));
        try (Socket idle = new Socket("127.0.0.1", gatewayPort); Socket busy = new Socket("127.0.0.1", gatewayPort)) {
            idle.setSoTimeout(10_000);
            busy.setSoTimeout(5000);
            assertThat(exchange(idle, "quiet")).isEqualTo("one quiet");
            for (int i = 0; i < 8; i++) {
                assertThat(exchange(busy, "talk " + i)).isEqualTo("one talk " + i);
                Thread.sleep(300);
            }
            assertThat(closedByPeer(idle)).as("no byte for over 1 s: closed").isTrue();
            assertThat(exchange(busy, "still here")).isEqualTo("one still here");
        }
    }

    @Test
    void aBackendThatReadsNothingAfterTheClientLeftIsLetGoAtTheIdleTimeout() throws Exception {
        try (ServerSocket backend = new ServerSocket(0)) {
            java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
            Thread deaf = new Thread(() -> { // accepts, and reads nothing until the test is over
                try (Socket s = backend.accept()) {
                    done.await();
                } catch (Exception e) {
                    // the test is over
                }
            });
            deaf.start();
            long generation = tables.get().generation() + 1;
            new SampleSnapshots(gatewayPort, backend.getLocalPort(), v2.port()).publish(generation,
                    "tcp-echo-services.yaml", "tcp-echo-all-v1.yaml", tcpPool("idleTimeout: 1s"));
            await().atMost(Duration.ofSeconds(20)).until(() -> tables.get().generation() == generation);
            var endpoint = tables.get().route(gatewayPort).orElseThrow().targets().get(0).endpoints().get(0);
            try (Socket client = new Socket("127.0.0.1", gatewayPort)) {
                Thread writer = new Thread(() -> { // until every buffer on the way is full
                    try {
                        byte[] chunk = new byte[64 << 10];
                        for (int i = 0; i < 256; i++) {
                            client.getOutputStream().write(chunk);
                        }
                    } catch (java.io.IOException closed) {
                        // the client closed under it
                    }
                });
                writer.start();
                await().atMost(Duration.ofSeconds(10)).until(() -> endpoint.active() == 1);
                Thread.sleep(500); // the buffers fill
                client.close();
                writer.join(5000);
            }
            await().atMost(Duration.ofSeconds(10)).alias("the upstream connection closed after 1 s of nothing moving")
                    .until(() -> endpoint.active() == 0);
            done.countDown();
            deaf.join(5000);
        }
        publish("tcp-echo-services.yaml", "tcp-echo-all-v1.yaml");
    }

    @Test
    void anEndpointByHostNameIsResolvedAndReached() throws Exception {
        // By Vert.x's asynchronous DNS resolver: the JDK's lookup (Quarkus's default) would block the event loop.
        assertThat(((io.vertx.core.impl.VertxInternal) vertx).nettyAddressResolverGroup())
                .isNotInstanceOf(io.netty.resolver.DefaultAddressResolverGroup.class);
        publish("tcp-echo-services.yaml", "tcp-echo-all-v1.yaml", """
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: tcp-echo-v1}
                spec: {address: localhost, ports: {tcp: 9001}, labels: {app: tcp-echo, version: v1}}
                """);
        try (Socket s = new Socket("127.0.0.1", gatewayPort)) {
            s.setSoTimeout(10_000);
            assertThat(exchange(s, "by name")).isEqualTo("one by name");
        }
        publish("tcp-echo-services.yaml", "tcp-echo-all-v1.yaml");
    }

    @Test
    void aFullListenerClosesNewConnectionsAtAcceptWhileItsOpenOnesAreServed() throws Exception {
        // The test profile caps listeners at 20 connections per node.
        publish("tcp-echo-services.yaml", "tcp-echo-all-v1.yaml");
        List<Socket> held = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                Socket s = new Socket("127.0.0.1", gatewayPort);
                s.setSoTimeout(5000);
                held.add(s);
                assertThat(exchange(s, "held " + i)).isEqualTo("one held " + i);
            }
            try (Socket over = new Socket("127.0.0.1", gatewayPort)) {
                over.setSoTimeout(5000);
                assertThat(closedByPeer(over)).as("the 21st: closed at accept").isTrue();
            }
            assertThat(exchange(held.get(0), "still served")).isEqualTo("one still served");
            held.remove(0).close();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(connect(1))
                    .containsExactly(Map.entry("one", 1)));
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void tcpKeepaliveArmsTheKernelsKeepaliveTimerOnUpstreamConnections() throws Exception {
        java.nio.file.Path tcp4 = java.nio.file.Path.of("/proc/net/tcp");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(tcp4), "Linux /proc/net/tcp");
        publish("tcp-echo-services.yaml", "tcp-echo-all-v1.yaml",
                tcpPool("tcpKeepalive: {time: 30s, interval: 5s, probes: 3}"));
        try (Socket s = new Socket("127.0.0.1", gatewayPort)) {
            s.setSoTimeout(5000);
            assertThat(exchange(s, "keep")).isEqualTo("one keep");
            // The proxy's socket toward v1: keepalive timer (2) armed for about 30 s (3000 ticks), not the
            // kernel's two hours, and not off (0) as without tcpKeepalive.
            String port = String.format(":%04X", v1.port());
            List<String> timers = new java.util.ArrayList<>();
            for (String file : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
                java.nio.file.Path path = java.nio.file.Path.of(file);
                if (!java.nio.file.Files.exists(path)) {
                    continue;
                }
                for (String line : java.nio.file.Files.readAllLines(path)) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 5 && f[2].endsWith(port) && f[3].equals("01")) {
                        timers.add(f[5]);
                    }
                }
            }
            assertThat(timers).anySatisfy(t -> {
                assertThat(t).startsWith("02:");
                assertThat(Long.parseLong(t.substring(3), 16)).isBetween(1L, 3000L);
            });
        }
    }

    @Test
    void reportsWhatItRunsOnTheBus() throws Exception {
        publish("tcp-echo-services.yaml", "tcp-echo-all-v1.yaml");
        long generation = tables.get().generation();
        Properties p = new Properties();
        p.putAll(EmbeddedKafka.clientConfig());
        p.put("group.id", "status-" + UUID.randomUUID());
        p.put("auto.offset.reset", "earliest");
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(MeshTopics.PROXY_STATUS));
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    ProxyStatus s = EventCodec.decode(r.value(), ProxyStatus.class);
                    if (s.generation() == generation && s.listeners().contains("tcp:" + gatewayPort)) {
                        return r.key().equals(s.nodeId());
                    }
                }
                return false;
            });
        }
    }
}
