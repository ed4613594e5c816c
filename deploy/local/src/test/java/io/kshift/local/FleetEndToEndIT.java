package io.kshift.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kshift.model.event.MeshTopics;
import io.kshift.proxy.routing.WeightedPicker;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole local fleet as {@code ./kshift up} runs it (standalone KRaft broker, validator, config-service, two
 * proxy nodes sharing the gateway port, tcp-echo v1/v2), on free ports, driven through real sockets and HTTP.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetEndToEndIT {
    static Fleet fleet;
    static FleetLayout layout;
    static KshiftClient client;
    static DemoScenario samples;
    static int gatewayPort;
    static long gatewayApiAllV1;

    /** tcp-echo's v1 and v2 subsets, for routes that name them. */
    static final String TCP_ECHO_SUBSETS = """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: tcp-echo-destination}
            spec:
              host: tcp-echo
              subsets:
              - {name: v1, labels: {version: v1}}
              - {name: v2, labels: {version: v2}}
            """;

    @BeforeAll
    static void up() {
        TestFleet t = TestFleet.up("kshift-e2e", 1);
        fleet = t.fleet();
        layout = t.layout();
        client = t.client();
        samples = t.samples();
        gatewayPort = t.gatewayPort();
    }

    @AfterAll
    static void down() {
        if (fleet != null) {
            fleet.down(System.out);
        }
    }

    /**
     * Where a JDK 25 or newer is installed (this project's build machines have Temurin 25 in /usr/lib/jvm beside
     * JDK 17; elsewhere this is skipped), {@code up} trained the proxies' AOT cache with a proxy's warm-up and runs
     * them on that JDK with it: the JVM mapped the file.
     */
    @Test
    @Order(0)
    void proxiesRunOnTheNewestJdkWithTheCacheTheirWarmUpTrained() throws Exception {
        ProxyJvm jvm = ProxyJvm.forThisMachine();
        Assumptions.assumeTrue(jvm.aot(), "no JDK " + ProxyJvm.AOT_FEATURE + "+ here: the proxies run on this JVM");
        List<Fleet.Member> proxies = fleet.services().stream().filter(m -> m.name().startsWith("proxy-")).toList();
        assertThat(proxies).hasSize(2);
        for (Fleet.Member m : proxies) {
            ProcessHandle node = ManagedProcess.running(layout, m.name()).orElseThrow();
            String command = node.info().commandLine().orElseThrow();
            assertThat(command).as(m.name()).startsWith(jvm.java().toString()).contains("-XX:AOTCache=");
            String cache = command.replaceFirst(".*-XX:AOTCache=(\\S+).*", "$1");
            assertThat(Path.of(cache)).isRegularFile();
            Path maps = Path.of("/proc", String.valueOf(node.pid()), "maps");
            if (Files.exists(maps)) {
                assertThat(Files.readString(maps)).as(m.name() + "'s mapped files").contains(cache);
            }
        }
    }

    static long apply(String file) {
        KshiftClient.Answer answer = client.apply(samples.sample(file));
        assertThat(answer.status()).as(answer.describe()).isEqualTo(200);
        long generation = answer.body().path("generation").asLong();
        client.awaitSynced(generation, Duration.ofSeconds(30));
        return generation;
    }

    static Map<String, Integer> send(int n) {
        return Traffic.countByVersion(Traffic.connections(layout.host(), gatewayPort, n, i -> "hello " + i));
    }

    /** Per node: v1 and v2 connections, each an exact prefix of the 80/20 smooth round-robin cycle. */
    static void assertExactPerNode(Map<String, Integer> seenByClient) {
        int[] cycle = WeightedPicker.schedule(new int[] {80, 20});
        int v1 = 0;
        int v2 = 0;
        int nodesWithTraffic = 0;
        for (JsonNode node : client.nodes()) {
            assertThat(node.path("status").path("listeners").toString()).contains("tcp:" + gatewayPort);
            long nodeV1 = 0;
            long nodeV2 = 0;
            for (JsonNode t : node.path("routes").get(0).path("targets")) {
                if (t.path("version").asText().equals("v1")) {
                    nodeV1 = t.path("connections").asLong();
                } else {
                    nodeV2 = t.path("connections").asLong();
                }
            }
            int n = (int) (nodeV1 + nodeV2);
            long expectedV2 = IntStream.range(0, n).filter(i -> cycle[i % cycle.length] == 1).count();
            assertThat(nodeV2).as("node %s: v2 share of its %d connections", node.path("status").path("nodeId"), n)
                    .isEqualTo(expectedV2);
            v1 += nodeV1;
            v2 += nodeV2;
            nodesWithTraffic += n > 0 ? 1 : 0;
        }
        assertThat(Map.of("one", v1, "two", v2)).isEqualTo(seenByClient);
        assertThat(nodesWithTraffic).as("SO_REUSEPORT spreads connections over both nodes").isEqualTo(2);
    }

    /**
     * {@code up} warmed the control plane with dry runs of the samples: they take the acceptance path (every one
     * accepted on the empty config) and change nothing: no generation, no resource, nothing for the proxies.
     */
    @Test
    @Order(0)
    void theControlPlaneWarmUpIsAcceptedAndChangesNothing() {
        JsonNode before = client.get(layout.configUrl() + "/api/v1/resources").body();
        ControlPlaneWarmUp.Report report = ControlPlaneWarmUp.rounds(layout, client);
        assertThat(report.failure()).isNull();
        assertThat(report.roundMillis()).hasSizeBetween(ControlPlaneWarmUp.MIN_ROUNDS, ControlPlaneWarmUp.MAX_ROUNDS);
        assertThat(report.accepted()).isEqualTo(report.dryRuns())
                .isEqualTo(report.roundMillis().size() * ControlPlaneWarmUp.BODIES.size());
        JsonNode after = client.get(layout.configUrl() + "/api/v1/resources").body();
        long generation = before.path("generation").asLong();
        assertThat(after.path("generation").asLong()).isEqualTo(generation);
        assertThat(after.path("items").size()).isEqualTo(before.path("items").size()).isZero();
        assertThat(client.nodes()).allSatisfy(n -> assertThat(n.path("status").path("generation").asLong())
                .isEqualTo(generation));
    }

    @Test
    @Order(0)
    void everyApiWantsTheTokenButTheProbes() throws Exception {
        java.net.http.HttpClient anonymous = java.net.http.HttpClient.newHttpClient();
        List<String> apis = List.of(layout.configUrl() + "/api/v1/resources", layout.telemetryUrl() + "/",
                "http://" + layout.host() + ":" + layout.proxyAdminPorts().get(0) + "/api/v1/node");
        for (String url : apis) {
            assertThat(anonymous.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode()).as(url).isEqualTo(401);
        }
        assertThat(anonymous.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(layout.configUrl()
                + "/q/health/ready")).build(), java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode())
                .isEqualTo(200);
        assertThat(client.nodes()).allSatisfy(n -> assertThat(n.path("status").path("nodeId").asText())
                .startsWith("proxy-"));
        for (Path secret : List.of(layout.workDir().resolve(LocalCredentials.TOKEN_FILE),
                BusCredentials.file(layout), BusCredentials.toolsFile(layout))) {
            assertThat(Files.getPosixFilePermissions(secret)).as(secret.toString()).containsExactlyInAnyOrder(
                    java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                    java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        }
    }

    @Test
    @Order(0)
    void theBusIsClosedToAnonymousClientsAndEachServiceWritesOnlyItsTopics() {
        String snapshot = "{\"generation\": 999999999}";
        // A proxy's own credentials: it may report status (so the broker is up and answering), not publish config.
        var proxy = new java.util.Properties();
        proxy.putAll(BusCredentials.of(layout).client(io.kshift.model.bus.MeshAcls.PROXY));
        assertThat(send(proxy, MeshTopics.PROXY_STATUS, "{}")).as("a proxy writing its status").isNull();
        assertThat(send(proxy, MeshTopics.CONFIG, snapshot)).as("a proxy writing kshift.config")
                .isInstanceOf(org.apache.kafka.common.errors.TopicAuthorizationException.class);
        // No credentials: the SASL listener never lets the client in, so it never learns the topic.
        var anonymous = new java.util.Properties();
        anonymous.put("bootstrap.servers", layout.bootstrapServers());
        assertThat(send(anonymous, MeshTopics.CONFIG, snapshot)).as("anonymous")
                .isInstanceOf(org.apache.kafka.common.errors.TimeoutException.class)
                .hasMessageContaining("not present in metadata");
        // A wrong password is refused outright.
        var wrong = new java.util.Properties();
        wrong.putAll(BusCredentials.of(layout).client(io.kshift.model.bus.MeshAcls.VALIDATOR));
        wrong.put("sasl.jaas.config", BusCredentials.jaas(io.kshift.model.bus.MeshAcls.VALIDATOR, "guess"));
        assertThat(send(wrong, MeshTopics.CONFIG, snapshot)).as("a guessed password")
                .isInstanceOf(org.apache.kafka.common.errors.SaslAuthenticationException.class);
        // The read-only tools user of .kshift/kafka-client.properties writes nothing.
        assertThat(send(BusCredentials.tools(layout), MeshTopics.CHANGES, "{}")).as("tools writing changes")
                .isInstanceOf(org.apache.kafka.common.errors.TopicAuthorizationException.class);
    }

    /** What sending one record did: null when the broker took it, else the failure. */
    static Throwable send(java.util.Properties props, String topic, String value) {
        props.put("max.block.ms", "4000");
        props.put("delivery.timeout.ms", "6000");
        props.put("request.timeout.ms", "3000");
        props.put("enable.idempotence", "false");
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<>(props,
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.StringSerializer())) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, "test", value))
                    .get(10, java.util.concurrent.TimeUnit.SECONDS);
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            return e;
        }
    }

    @Test
    @Order(1)
    void istioFlavourShiftsTrafficAndRejectsABrokenRoute() throws Exception {
        Map<String, Integer> split;
        apply("tcp-echo-services.yaml");
        apply("tcp-echo-all-v1.yaml");
        assertThat(send(100)).containsExactly(Map.entry("one", 100));

        KshiftClient.Answer preview = client.post("/api/v1/apply?dryRun=true&wait=10s",
                samples.sample("tcp-echo-20-v2.yaml"));
        assertThat(preview.status()).as(preview.describe()).isEqualTo(200);
        assertThat(preview.body().path("dryRun").asBoolean()).isTrue();
        JsonNode vsAction = java.util.stream.StreamSupport.stream(preview.body().path("resources").spliterator(), false)
                .filter(r -> r.path("kind").asText().equals("VirtualService")).findFirst().orElseThrow();
        assertThat(vsAction.path("action").asText()).isEqualTo("CONFIGURED");
        assertThat(vsAction.path("diff").asText()).as("the dry run shows the change against the live config")
                .contains("+      weight: 80", "+      weight: 20", "+        subset: v2");
        assertThat(send(20)).as("a dry run changes nothing").containsExactly(Map.entry("one", 20));

        try (Socket held = new Socket(layout.host(), gatewayPort)) {
            held.setSoTimeout(5000);
            assertThat(Traffic.exchange(held, "before")).isEqualTo("one before");

            apply("tcp-echo-20-v2.yaml");
            split = send(100);
            assertThat(split.get("one") + split.get("two")).isEqualTo(100);
            assertExactPerNode(split);
            assertThat(Traffic.exchange(held, "after")).as("the live connection kept its upstream")
                    .isEqualTo("one after");
        }

        KshiftClient.Answer rejected = client.apply(samples.sample("tcp-echo-undefined-subset.yaml"));
        assertThat(rejected.status()).isEqualTo(422);
        assertThat(rejected.body().path("errors").get(0).path("field").asText())
                .isEqualTo("spec.tcp[0].route[0].destination.subset");
        assertThat(rejected.body().path("errors").get(0).path("resource").asText())
                .isEqualTo("VirtualService default/tcp-echo");
        Map<String, Integer> after = send(100);
        JsonNode route = client.nodes().get(0).path("routes").get(0);
        assertThat(route.path("targets")).extracting(t -> t.path("subset").asText()).containsExactly("v1", "v2");
        // Same generation, so the node counters go on from before the rejection: still exact per node.
        assertExactPerNode(Map.of("one", split.get("one") + after.get("one"), "two", split.get("two") + after.get("two")));

        // Optimistic concurrency through the real validator: a change made against the live generation applies;
        // the same condition once the generation moved is a 409 and changes nothing.
        long live = rejected.body().path("generation").asLong(); // a rejection names the live generation
        KshiftClient.Answer conditional = client.post("/api/v1/apply?wait=10s&ifGeneration=" + live,
                samples.sample("tcp-echo-all-v1.yaml"));
        assertThat(conditional.status()).as(conditional.describe()).isEqualTo(200);
        KshiftClient.Answer stale = client.post("/api/v1/apply?wait=10s&ifGeneration=" + live,
                samples.sample("tcp-echo-20-v2.yaml"));
        assertThat(stale.status()).as(stale.describe()).isEqualTo(409);
        assertThat(stale.body().path("errors").get(0).path("field").asText()).isEqualTo("ifGeneration");
        assertThat(send(20)).as("the refused change changed nothing").containsExactly(Map.entry("one", 20));

        KshiftClient.Answer deleted = client.delete(samples.sample("tcp-echo-all-v1.yaml"));
        assertThat(deleted.status()).isEqualTo(200);
        client.awaitSynced(deleted.body().path("generation").asLong(), Duration.ofSeconds(30));
    }

    @Test
    @Order(2)
    void gatewayApiFlavourBehavesTheSame() {
        gatewayApiAllV1 = apply("gateway-api/tcp-echo-all-v1.yaml");
        assertThat(send(100)).containsExactly(Map.entry("one", 100));
        long generation = apply("gateway-api/tcp-echo-20-v2.yaml");
        Map<String, Integer> split = send(100);
        assertExactPerNode(split);
        JsonNode proxies = client.get(layout.configUrl() + "/api/v1/proxies").body();
        assertThat(proxies.path("proxies")).extracting(p -> p.path("nodeId").asText() + " " + p.path("state").asText()
                + " " + p.path("generation").asLong()).containsExactly("proxy-1 SYNCED " + generation,
                "proxy-2 SYNCED " + generation);
        assertThat(proxies.path("proxies")).extracting(p -> p.path("labels").path("node").asText() + " "
                + p.path("dataAddress").asText()).containsExactly("proxy-1 " + layout.host(), "proxy-2 " + layout.host());
        assertThat(client.get(layout.configUrl() + "/api/v1/resources/tcproutes/default/tcp-echo").body()
                .path("spec").path("rules").get(0).path("backendRefs").get(1).path("weight").asInt()).isEqualTo(20);
    }

    @Test
    @Order(3)
    void proxiesServeTheirLastConfigWhileKafkaIsDownAndCatchUpAfter() {
        ManagedProcess.stop(layout, LocalKafka.NAME, Duration.ofSeconds(15));
        assertThat(send(50).values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(50);
        // Reports made meanwhile cannot reach the bus: each node counts those it loses (after the producer's 10 s
        // delivery timeout) and says so in its next reports.
        Map<String, Long> lost = new java.util.TreeMap<>();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
            for (JsonNode node : client.nodes()) {
                lost.put(node.path("status").path("nodeId").asText(), node.path("telemetryReportsDropped").asLong());
            }
            assertThat(lost).as("telemetry reports each node lost while Kafka was down").hasSize(2)
                    .allSatisfy((node, n) -> assertThat(n).isPositive());
        });

        LocalKafka.start(layout);
        LocalKafka.awaitReadyAndCreateTopics(layout, Duration.ofSeconds(90));
        long generation = awaitAccepted("gateway-api/tcp-echo-all-v1.yaml");
        client.awaitSynced(generation, Duration.ofSeconds(60));
        assertThat(send(20)).containsExactly(Map.entry("one", 20));
        // telemetry-service's windows name the nodes that lost reports, with at least the counts seen above (the
        // gateway-api route sends to the Service tcp-echo-v1: its windows have the traffic).
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    send(2);
                    KshiftClient.Answer windows = client.get(layout.telemetryUrl()
                            + "/api/v1/telemetry/default/tcp-echo-v1?window=10s&last=3");
                    assertThat(windows.status()).as(windows.describe()).isEqualTo(200);
                    Map<String, Long> said = new java.util.TreeMap<>();
                    windows.body().forEach(w -> w.path("droppedReports").fields().forEachRemaining(e ->
                            said.merge(e.getKey(), e.getValue().asLong(), Math::max)));
                    lost.forEach((node, n) -> assertThat(said.getOrDefault(node, 0L))
                            .as("%s's lost reports, as telemetry-service's windows say", node).isGreaterThanOrEqualTo(n));
                });
    }

    @Test
    @Order(4)
    void restartedServicesRebuildFromKafkaAndLoseNothing() {
        long before = client.get(layout.configUrl() + "/api/v1/resources").body().path("generation").asLong();
        restart("config-service");
        restart("validator-service");
        JsonNode all = client.get(layout.configUrl() + "/api/v1/resources").body();
        assertThat(all.path("generation").asLong()).as("config-service rebuilt its view").isEqualTo(before);
        assertThat(all.path("items").size()).isGreaterThan(0);

        KshiftClient.Answer next = client.apply(samples.sample("gateway-api/tcp-echo-20-v2.yaml"));
        assertThat(next.status()).as(next.describe()).isEqualTo(200);
        assertThat(next.body().path("generation").asLong()).as("the validator continues the sequence")
                .isEqualTo(before + 1);
        assertThat(client.get(layout.configUrl() + "/api/v1/changes/" + next.body().path("changeId").asText())
                .body().path("status").asText()).isEqualTo("ACCEPTED");
        client.awaitSynced(before + 1, Duration.ofSeconds(30));
        assertThat(send(10)).containsKey("two");

        JsonNode history = client.get(layout.configUrl() + "/api/v1/generations").body().path("generations");
        assertThat(history.get(0).path("generation").asLong()).isEqualTo(before + 1);
        assertThat(history.size()).as("history survived the restart").isEqualTo((int) (before + 1));
        assertThat(history.get(0).path("submittedBy").asText()).as("the audit trail").isEqualTo("local-admin");
        KshiftClient.Answer rolledBack = client.postJson("/api/v1/rollback?waitFor=synced&timeout=20s",
                "{\"to\": " + gatewayApiAllV1 + "}");
        assertThat(rolledBack.status()).as(rolledBack.describe()).isEqualTo(200);
        assertThat(rolledBack.body().path("generation").asLong()).isEqualTo(before + 2);
        assertThat(rolledBack.body().path("sync").path("lagging").size()).isZero();
        assertThat(send(20)).as("rolled back to all-v1").containsExactly(Map.entry("one", 20));
    }

    @Test
    @Order(5)
    void aValidatorKilledMidStreamLosesNoChangeAndAppliesNoneTwice() throws Exception {
        Fleet.Member standby = startStandbyValidator();
        int standbyPort = URI.create(standby.readiness()).getPort();
        try {
            String active = activeValidator(Map.of("validator-service", layout.validatorPort(),
                    standby.name(), standbyPort));
            long before = client.get(layout.configUrl() + "/api/v1/resources").body().path("generation").asLong();

            List<String> ids = new java.util.ArrayList<>();
            for (int i = 0; i < 50; i++) {
                String route = new String(samples.sample("gateway-api/tcp-echo-20-v2.yaml"))
                        .replace("weight: 20", "weight: " + (100 + i));
                KshiftClient.Answer submitted = client.submit(route.getBytes());
                assertThat(submitted.status()).isEqualTo(202);
                ids.add(submitted.body().path("changeId").asText());
                if (i == 14) {
                    ManagedProcess.running(layout, active).orElseThrow().destroyForcibly();
                }
            }

            List<Long> generations = new java.util.ArrayList<>();
            for (String id : ids) {
                JsonNode result = awaitResult(id, Duration.ofSeconds(90));
                assertThat(result.path("status").asText()).as("change %s", id).isEqualTo("ACCEPTED");
                generations.add(result.path("generation").asLong());
            }
            List<Long> expected = LongStream.rangeClosed(before + 1, before + 50).boxed().toList();
            assertThat(generations).as("one generation per change, in order, no gaps").isEqualTo(expected);

            Map<Long, String> snapshots = snapshotsAfter(before);
            assertThat(snapshots.keySet()).as("kshift.config holds each generation exactly once").isEqualTo(
                    new java.util.TreeSet<>(expected));
            assertThat(List.copyOf(snapshots.values())).isEqualTo(ids);
        } finally {
            // Leave the fleet as it was: the original validator running, the standby gone.
            if (ManagedProcess.running(layout, "validator-service").isEmpty()) {
                Fleet.Member original = fleet.validator("validator-service", layout.validatorPort());
                ManagedProcess.start(layout, original.name(), original.command());
                fleet.awaitReady(original, Duration.ofSeconds(60));
            }
            ManagedProcess.stop(layout, standby.name(), Duration.ofSeconds(15));
            // The original takes the change partition back seconds later (a rebalance, then loading the live
            // config): the tests after this one assume a validator deciding at once.
            activeValidator(Map.of("validator-service", layout.validatorPort()));
        }
    }

    /**
     * A second validator on a free port. The port is found by binding 0 and closing, so another process can take
     * it before the JVM binds it: only then (its log says the port is in use) is another port tried.
     */
    private Fleet.Member startStandbyValidator() throws Exception {
        for (int attempt = 1; ; attempt++) {
            int port;
            try (ServerSocket probe = new ServerSocket(0)) {
                port = probe.getLocalPort();
            }
            Fleet.Member standby = fleet.validator("validator-service-2", port);
            ManagedProcess.start(layout, standby.name(), standby.command());
            try {
                fleet.awaitReady(standby, Duration.ofSeconds(60));
                return standby;
            } catch (IllegalStateException e) {
                String log = Files.readString(layout.logs().resolve(standby.name() + ".log"));
                if (attempt == 3 || !log.contains("in use")) {
                    ManagedProcess.stop(layout, standby.name(), Duration.ofSeconds(15));
                    throw e;
                }
                ManagedProcess.stop(layout, standby.name(), Duration.ofSeconds(15));
                Files.delete(layout.logs().resolve(standby.name() + ".log"));
            }
        }
    }

    @Test
    @Order(6)
    void aFrozenProxyGoesStaleAndComesBackSynced() throws Exception {
        long pid = ManagedProcess.running(layout, "proxy-2").orElseThrow().pid();
        signal("STOP", pid);
        try {
            KshiftClient.Answer answer = client.post("/api/v1/apply?waitFor=synced&timeout=3s",
                    samples.sample("gateway-api/tcp-echo-all-v1.yaml"));
            assertThat(answer.status()).as("accepted, but proxy-2 cannot apply it: 202").isEqualTo(202);
            assertThat(answer.body().path("sync").path("lagging").toString()).contains("proxy-2");
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            String state = "";
            while (!state.equals("STALE") && System.nanoTime() < deadline) {
                state = proxyState("proxy-2");
                Fleet.sleep(250);
            }
            assertThat(state).as("behind for longer than the stale threshold").isEqualTo("STALE");
            assertThat(proxyState("proxy-1")).isEqualTo("SYNCED");
        } finally {
            signal("CONT", pid);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!proxyState("proxy-2").equals("SYNCED")) {
            assertThat(System.nanoTime()).as("proxy-2 catches up").isLessThan(deadline);
            Fleet.sleep(100);
        }
    }

    @Test
    @Order(7)
    void aClientWaitingThroughAConfigServiceRestartRetriesWithItsKeyAndGetsTheOneOutcome() throws Exception {
        long before = client.get(layout.configUrl() + "/api/v1/resources").body().path("generation").asLong();
        String key = "restart-" + java.util.UUID.randomUUID();
        byte[] change = samples.sample("gateway-api/tcp-echo-20-v2.yaml");
        long pid = ManagedProcess.running(layout, "proxy-2").orElseThrow().pid();
        signal("STOP", pid); // so the request below is still waiting for the proxies when config-service goes
        java.util.concurrent.CompletableFuture<Object> first;
        try {
            first = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return client.post("/api/v1/apply?waitFor=synced&timeout=30s", change, key);
                } catch (RuntimeException e) {
                    return e;
                }
            });
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (client.get(layout.configUrl() + "/api/v1/resources").body().path("generation").asLong() <= before) {
                assertThat(System.nanoTime()).as("the change is decided").isLessThan(deadline);
                Fleet.sleep(100);
            }
            // The verdict reaches config-service's ledger on a consumer of its own: wait until it is there too.
            while (!verdictKnown(before + 1)) {
                assertThat(System.nanoTime()).as("the verdict is in the ledger").isLessThan(deadline);
                Fleet.sleep(100);
            }
            restart("config-service");
        } finally {
            signal("CONT", pid);
        }
        // The waiting client is answered as config-service starts to stop, with what is known then: the verdict,
        // and proxy-2 (frozen) still lagging — 202, not a cut connection. It may still retry with its key.
        Object firstOutcome = first.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(firstOutcome).isInstanceOf(KshiftClient.Answer.class);
        KshiftClient.Answer answered = (KshiftClient.Answer) firstOutcome;
        assertThat(answered.status()).as(answered.describe()).isEqualTo(202);
        assertThat(answered.body().path("status").asText() + " " + answered.body().path("generation").asLong())
                .as(answered.describe()).isEqualTo("ACCEPTED " + (before + 1));
        assertThat(answered.body().path("sync").path("lagging").toString()).contains("proxy-2");
        KshiftClient.Answer retry = client.post("/api/v1/apply?wait=20s", change, key);
        assertThat(retry.status()).as(retry.describe()).isEqualTo(200);
        assertThat(retry.body().path("generation").asLong()).as("the first request's verdict").isEqualTo(before + 1);
        JsonNode outcome = client.get(layout.configUrl() + "/api/v1/changes/" + retry.body().path("changeId").asText())
                .body();
        assertThat(outcome.path("status").asText() + " " + outcome.path("generation").asLong())
                .as("the change's record tells the outcome").isEqualTo("ACCEPTED " + (before + 1));
        // A second decision of the same resources would say UNCHANGED: this is the first one's answer.
        assertThat(retry.body().path("resources").toString()).contains("CONFIGURED").doesNotContain("UNCHANGED");
        assertThat(client.get(layout.configUrl() + "/api/v1/resources").body().path("generation").asLong())
                .as("the retry made no second change").isEqualTo(before + 1);
    }

    @Test
    @Order(8)
    void aProxyKilledUnderTrafficComesBackOnlyOnceItRunsTheLiveGeneration() throws Exception {
        long live = client.apply(samples.sample("gateway-api/tcp-echo-all-v1.yaml")).body().path("generation").asLong();
        client.awaitSynced(live, Duration.ofSeconds(30));
        long pid = ManagedProcess.running(layout, "proxy-2").orElseThrow().pid();
        try {
            signal("KILL", pid);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                assertThat(System.nanoTime()).as("proxy-2 gone").isLessThan(deadline);
                Fleet.sleep(20);
            }
            // Both nodes share the gateway port; with one gone the kernel hands every new connection to the other.
            assertThat(send(50)).as("the surviving node serves every client").containsExactly(Map.entry("one", 50));
        } finally {
            restart("proxy-2");
        }
        assertThat(client.nodes().get(1).path("status").path("generation").asLong())
                .as("ready means running the live generation").isEqualTo(live);
        assertThat(send(50)).containsExactly(Map.entry("one", 50));
    }

    static String proxyState(String node) {
        for (JsonNode p : client.get(layout.configUrl() + "/api/v1/proxies").body().path("proxies")) {
            if (p.path("nodeId").asText().equals(node)) {
                return p.path("state").asText();
            }
        }
        return "ABSENT";
    }

    @Test
    @Order(9)
    void httpCanaryIsExactPerNodeAndMirrorsReachV2WithAShadowHost() throws Exception {
        int httpPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            httpPort = probe.getLocalPort();
        }
        HttpDemo http = new HttpDemo(layout, httpPort, new PrintStream(PrintStream.nullOutputStream()));
        for (String f : List.of("httpbin-services.yaml", "tutorial/gateway.yaml", "tutorial/canary-75-25.yaml")) {
            KshiftClient.Answer a = client.apply(http.sample(f));
            assertThat(a.status()).as(f + ": " + a.describe()).isEqualTo(200);
            client.awaitSynced(a.body().path("generation").asLong(), Duration.ofSeconds(30));
        }
        Map<String, Integer> seen = new java.util.TreeMap<>();
        for (int i = 0; i < 100; i++) {
            seen.merge(HttpCalls.get(layout.host(), httpPort, "httpbin.example.com", "/get", Map.of()).version(), 1,
                    Integer::sum);
        }
        int[] cycle = WeightedPicker.schedule(new int[] {75, 25});
        Map<String, Integer> total = new java.util.TreeMap<>();
        int nodesWithTraffic = 0;
        for (JsonNode node : client.nodes()) {
            Map<String, Long> counts = new java.util.TreeMap<>();
            for (JsonNode route : node.path("httpRoutes")) {
                if (route.path("listener").asText().equals("http:" + httpPort)) {
                    route.path("targets").forEach(t -> counts.merge(t.path("version").asText(),
                            t.path("requests").asLong(), Long::sum));
                }
            }
            int n = (int) counts.values().stream().mapToLong(Long::longValue).sum();
            long expectedV2 = IntStream.range(0, n).filter(i -> cycle[i % cycle.length] == 1).count();
            assertThat(counts.getOrDefault("v2", 0L)).as("node %s: v2 share of its %d requests",
                    node.path("status").path("nodeId"), n).isEqualTo(expectedV2);
            counts.forEach((v, c) -> total.merge(v, c.intValue(), Integer::sum));
            nodesWithTraffic += n > 0 ? 1 : 0;
        }
        assertThat(total).isEqualTo(seen);
        assertThat(seen.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(100);
        assertThat(nodesWithTraffic).as("SO_REUSEPORT spreads connections over both nodes").isEqualTo(2);

        Path v2Log = layout.logs().resolve("httpbin-v2.log");
        long before = Files.readAllLines(v2Log).stream().filter(l -> l.contains("httpbin-shadow:8000")).count();
        for (String f : List.of("mirror/httpbin-all-v1.yaml", "mirror/httpbin-mirror-v2.yaml")) {
            KshiftClient.Answer a = client.apply(http.sample(f));
            assertThat(a.status()).as(f + ": " + a.describe()).isEqualTo(200);
            client.awaitSynced(a.body().path("generation").asLong(), Duration.ofSeconds(30));
        }
        for (int i = 0; i < 10; i++) {
            assertThat(HttpCalls.get(layout.host(), layout.meshPort(), "httpbin:8000", "/headers", Map.of()).version())
                    .isEqualTo("v1");
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(Files.readAllLines(v2Log).stream().filter(l -> l.contains("httpbin-shadow:8000")).count())
                        .as("v2's access log has each mirrored request with Host httpbin-shadow:8000")
                        .isEqualTo(before + 10));
    }

    @Test
    @Order(10)
    void telemetryAddsUpToWhatTheClientSentAcrossATelemetryServiceCrash() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        KshiftClient.Answer a = client.apply(("""
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: telemetry-gateway}
                spec:
                  selector: {istio: ingressgateway}
                  servers: [{port: {number: %d, name: tcp, protocol: TCP}, hosts: ['*']}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: telemetry-split}
                spec:
                  hosts: ['*']
                  gateways: [telemetry-gateway]
                  tcp:
                  - route:
                    - {destination: {host: tcp-echo, subset: v1, port: {number: 9000}}, weight: 80}
                    - {destination: {host: tcp-echo, subset: v2, port: {number: 9000}}, weight: 20}
                ---
                """.formatted(port) + TCP_ECHO_SUBSETS).getBytes());
        assertThat(a.status()).as(a.describe()).isEqualTo(200);
        client.awaitSynced(a.body().path("generation").asLong(), Duration.ofSeconds(30));
        // Windows are on report time: start sending in a fresh 10 s window that no earlier traffic reaches.
        long tenSeconds = 10_000;
        java.time.Instant from = java.time.Instant.ofEpochMilli(((System.currentTimeMillis() + 2_000) / tenSeconds + 1)
                * tenSeconds);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> java.time.Instant.now().isAfter(from));

        String line = "telemetry check";
        List<String> answers = new java.util.ArrayList<>(Traffic.connections(layout.host(), port, 50, i -> line));
        ProcessHandle telemetry = ManagedProcess.running(layout, "telemetry-service").orElseThrow();
        telemetry.destroyForcibly();
        telemetry.onExit().get();
        answers.addAll(Traffic.connections(layout.host(), port, 50, i -> line));
        restart("telemetry-service");
        Map<String, Integer> clientSaw = Traffic.countByVersion(answers);
        assertThat(clientSaw.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(100);

        String service = "tcp-echo.default.svc.cluster.local";
        Map<String, long[]> summed = new java.util.TreeMap<>();
        try (TelemetryWindows windows = TelemetryWindows.fromStart(layout)) {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                for (var w : windows.poll(Duration.ofMillis(500))) {
                    if (w.service().equals(service) && w.window().equals("10s") && !w.start().isBefore(from)) {
                        for (var v : w.versions()) {
                            long[] sums = summed.computeIfAbsent(v.version(), x -> new long[2]);
                            sums[0] += v.connectionsOpened();
                            sums[1] += v.bytesFromClient();
                        }
                    }
                }
                assertThat(summed.getOrDefault("v1", new long[2])[0] + summed.getOrDefault("v2", new long[2])[0])
                        .isEqualTo(100);
            });
        }
        int bytesPerConnection = (line + "\n").length();
        assertThat(summed.get("v1")[0]).as("v1 connections, counted once across the crash")
                .isEqualTo((long) clientSaw.get("one"));
        assertThat(summed.get("v2")[0]).isEqualTo((long) clientSaw.get("two"));
        assertThat(summed.get("v1")[1]).isEqualTo((long) clientSaw.get("one") * bytesPerConnection);
        assertThat(summed.get("v2")[1]).isEqualTo((long) clientSaw.get("two") * bytesPerConnection);
        assertThat(client.get(layout.telemetryUrl() + "/api/v1/telemetry/default/tcp-echo?window=10s&last=12").status())
                .isEqualTo(200);
    }

    @Test
    @Order(11)
    void twoNodeGroupsServeTheGatewaysThatSelectThem() throws Exception {
        // Each node is labelled node=proxy-N: a Gateway selecting one is that node's alone, as a gateway pod's.
        int[] ports = new int[2];
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < 2; i++) {
            try (ServerSocket probe = new ServerSocket(0)) {
                ports[i] = probe.getLocalPort();
            }
            yaml.append("""
                    apiVersion: networking.istio.io/v1
                    kind: Gateway
                    metadata: {name: group-%1$d}
                    spec:
                      selector: {node: proxy-%1$d}
                      servers: [{port: {number: %2$d, name: tcp, protocol: TCP}, hosts: ['*']}]
                    ---
                    apiVersion: networking.istio.io/v1
                    kind: VirtualService
                    metadata: {name: group-%1$d}
                    spec:
                      hosts: ['*']
                      gateways: [group-%1$d]
                      tcp: [{route: [{destination: {host: tcp-echo, subset: v%1$d, port: {number: 9000}}}]}]
                    ---
                    """.formatted(i + 1, ports[i]));
        }
        yaml.append(TCP_ECHO_SUBSETS);
        KshiftClient.Answer a = client.apply(yaml.toString().getBytes());
        assertThat(a.status()).as(a.describe()).isEqualTo(200);
        client.awaitSynced(a.body().path("generation").asLong(), Duration.ofSeconds(30));
        // A node reports its listeners on its next status after the ports are bound, which may follow the report
        // that it runs the generation: wait for that report (bounded), then hold every node to it.
        JsonNode proxies = client.get(layout.configUrl() + "/api/v1/proxies").body();
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!proxies.toString().contains("tcp:" + ports[0]) || !proxies.toString().contains("tcp:" + ports[1])) {
            if (System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(200);
            proxies = client.get(layout.configUrl() + "/api/v1/proxies").body();
        }
        for (JsonNode p : proxies.path("proxies")) {
            String node = p.path("nodeId").asText();
            String listeners = p.path("listeners").toString();
            int own = node.equals("proxy-1") ? ports[0] : ports[1];
            int other = node.equals("proxy-1") ? ports[1] : ports[0];
            assertThat(listeners).as(node).contains("tcp:" + own).doesNotContain("tcp:" + other);
        }
        // Only the selected node listens, so every connection to a group's port is served by that node's route.
        assertThat(Traffic.countByVersion(Traffic.connections(layout.host(), ports[0], 20, i -> "a " + i)))
                .containsExactly(Map.entry("one", 20));
        assertThat(Traffic.countByVersion(Traffic.connections(layout.host(), ports[1], 20, i -> "b " + i)))
                .containsExactly(Map.entry("two", 20));
    }

    /** Whether config-service's history has {@code generation} and its ledger that generation's verdict. */
    static boolean verdictKnown(long generation) {
        JsonNode newest = client.get(layout.configUrl() + "/api/v1/generations").body().path("generations").path(0);
        return newest.path("generation").asLong() == generation && client.get(layout.configUrl() + "/api/v1/changes/"
                + newest.path("changeId").asText()).status() == 200;
    }

    static void signal(String signal, long pid) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).start().waitFor()).isZero();
    }

    static String activeValidator(Map<String, Integer> ports) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            List<String> active = ports.entrySet().stream().filter(e -> client.get("http://" + layout.host() + ":"
                    + e.getValue() + "/q/health/ready").body().path("checks").get(0).path("data").path("active")
                    .asBoolean()).map(Map.Entry::getKey).toList();
            if (active.size() == 1) {
                return active.get(0);
            }
            Fleet.sleep(200);
        }
        throw new AssertionError("no single active validator among " + ports.keySet());
    }

    static JsonNode awaitResult(String changeId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            KshiftClient.Answer a = client.get(layout.configUrl() + "/api/v1/changes/" + changeId);
            if (a.status() == 200) {
                return a.body();
            }
            Fleet.sleep(100);
        }
        throw new AssertionError("no verdict for change " + changeId + " in " + timeout);
    }

    /** What every record on kshift.config, a checkpoint or a delta, says first: its generation and its change. */
    record Stamp(long generation, String changeId) {
    }

    /** Generation → changeId of every committed record on kshift.config newer than {@code generation}. */
    static Map<Long, String> snapshotsAfter(long generation) {
        Map<Long, String> out = new java.util.TreeMap<>();
        for (String value : CommittedRecords.of(layout, MeshTopics.CONFIG)) {
            Stamp snapshot = io.kshift.model.event.EventCodec.decode(value, Stamp.class);
            if (snapshot.generation() > generation) {
                assertThat(out.put(snapshot.generation(), snapshot.changeId()))
                        .as("generation %d published once", snapshot.generation()).isNull();
            }
        }
        return out;
    }

    static void restart(String member) {
        Fleet.Member m = fleet.services().stream().filter(x -> x.name().equals(member)).findFirst().orElseThrow();
        // config-service may take ~10 s to close its Kafka consumers, plus up to 10 s for answers in flight.
        ManagedProcess.stop(layout, member, Duration.ofSeconds(30));
        ManagedProcess.start(layout, member, m.command());
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Fleet.ready(m.readiness())) {
            assertThat(System.nanoTime()).as(member + " ready again").isLessThan(deadline);
            Fleet.sleep(200);
        }
    }

    /** After a broker restart, clients reconnect on their own; retry the apply until the bus answers. */
    static long awaitAccepted(String file) {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        KshiftClient.Answer last = null;
        while (System.nanoTime() < deadline) {
            last = client.apply(samples.sample(file));
            if (last.status() == 200) {
                return last.body().path("generation").asLong();
            }
            Fleet.sleep(1000);
        }
        throw new AssertionError("change not accepted after Kafka returned: " + (last == null ? "" : last.describe()));
    }
}
