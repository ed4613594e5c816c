package io.kshift.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kshift.model.event.ChangeResult;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The local fleet on a three-broker Kafka cluster ({@code ./kshift up --brokers 3}): the broker leading
 * {@code kshift.config} is killed with SIGKILL while changes are applied one after another and connections flow
 * through the gateway. Every change gets exactly one generation, the generations have no gap, none is published
 * twice, the proxies run the last one, and no connection fails.
 */
class BrokerFailoverIT {
    static final int CHANGES = 24;
    static final int KILL_AFTER = 6;

    static TestFleet t;

    @BeforeAll
    static void up() {
        t = TestFleet.up("kshift-failover", 3);
    }

    @AfterAll
    static void down() {
        if (t != null) {
            t.fleet().down(System.out);
        }
    }

    @Test
    void aBrokerKilledUnderChangesAndTrafficLosesNoChangeAndAppliesNoneTwice() throws Exception {
        assertThat(LocalKafka.names(t.layout())).containsExactly("kafka-1", "kafka-2", "kafka-3");
        apply(t.samples().sample("tcp-echo-services.yaml"));
        long before = apply(t.samples().sample("gateway-api/tcp-echo-all-v1.yaml"));
        assertThat(Traffic.countByVersion(Traffic.connections(t.layout().host(), t.gatewayPort(), 20,
                i -> "warm " + i)))
                .containsExactly(Map.entry("one", 20));

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger served = new AtomicInteger();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread traffic = new Thread(() -> {
            while (!stop.get()) {
                try {
                    String answer = Traffic.connections(t.layout().host(), t.gatewayPort(), 1, i -> "flow").get(0);
                    if (answer.startsWith("one ") || answer.startsWith("two ")) {
                        served.incrementAndGet();
                    } else {
                        failures.add("answer: " + answer);
                    }
                } catch (RuntimeException e) {
                    failures.add(e.toString());
                }
                Fleet.sleep(20); // a steady flow, leaving the two cores to the fleet
            }
        }, "failover-traffic");
        traffic.start();

        Map<String, Long> generationByChange = new java.util.LinkedHashMap<>(); // in the order the changes were made
        String killed = null;
        int retried = 0;
        try {
            for (int k = 0; k < CHANGES; k++) {
                if (k == KILL_AFTER) {
                    killed = leaderOf(MeshTopics.CONFIG);
                    long pid = ManagedProcess.running(t.layout(), killed).orElseThrow().pid();
                    System.out.println("SIGKILL " + killed + " (pid " + pid + "), the leader of " + MeshTopics.CONFIG);
                    assertThat(new ProcessBuilder("kill", "-KILL", String.valueOf(pid)).start().waitFor()).isZero();
                }
                int v2 = 10 + 10 * (k % 8); // 10..80, never the same twice in a row: each change changes something
                String key = "failover-" + k + "-" + UUID.randomUUID();
                Applied applied = applyWithRetries(weights(100 - v2, v2), key);
                retried += applied.attempts() - 1;
                assertThat(generationByChange.put(applied.changeId(), applied.generation()))
                        .as("change %d has one changeId", k).isNull();
            }
            t.client().awaitSynced(before + CHANGES, Duration.ofSeconds(60));
            Thread.sleep(500); // traffic on the last generation too
        } finally {
            stop.set(true);
            traffic.join(10_000);
        }
        System.out.printf("%d changes, %d retried requests, %d connections served during the failover%n", CHANGES,
                retried, served.get());

        assertThat(generationByChange.values()).as("one generation per change, in order, no gap")
                .containsExactlyElementsOf(LongStream.rangeClosed(before + 1, before + CHANGES).boxed().toList());
        assertThat(failures).as("connections through the gateway while a broker died").isEmpty();
        assertThat(served.get()).isPositive();

        // On the bus itself: each generation published once, by the change that made it, and one verdict per change.
        Map<Long, String> published = new TreeMap<>();
        for (String value : CommittedRecords.of(t.layout(), MeshTopics.CONFIG)) {
            // A checkpoint or a delta: both open with the generation and the change that made it.
            FleetEndToEndIT.Stamp s = EventCodec.decode(value, FleetEndToEndIT.Stamp.class);
            if (s.generation() > before) {
                assertThat(published.put(s.generation(), s.changeId())).as("generation %d published once",
                        s.generation()).isNull();
            }
        }
        Map<Long, String> expected = new TreeMap<>();
        generationByChange.forEach((change, generation) -> expected.put(generation, change));
        assertThat(published).isEqualTo(expected);
        Map<String, Integer> verdicts = new TreeMap<>();
        for (String value : CommittedRecords.of(t.layout(), MeshTopics.CHANGE_RESULTS)) {
            ChangeResult r = EventCodec.decode(value, ChangeResult.class);
            if (generationByChange.containsKey(r.changeId())) {
                verdicts.merge(r.changeId(), 1, Integer::sum);
            }
        }
        assertThat(verdicts).as("one verdict per change").hasSize(CHANGES).allSatisfy((c, n) -> assertThat(n).isOne());
        JsonNode history = t.client().get(t.layout().configUrl() + "/api/v1/generations").body().path("generations");
        List<Long> listed = new ArrayList<>();
        history.forEach(g -> listed.add(g.path("generation").asLong()));
        assertThat(listed).as("history: every generation, newest first")
                .startsWith(LongStream.iterate(before + CHANGES, g -> g > before, g -> g - 1).boxed()
                        .toArray(Long[]::new));

        // The proxies run the last change (v2 = 10 + 10 * ((CHANGES - 1) % 8)).
        int lastV2 = 10 + 10 * ((CHANGES - 1) % 8);
        for (JsonNode node : t.client().nodes()) {
            JsonNode targets = node.path("routes").get(0).path("targets");
            assertThat(targets.get(1).path("weight").asInt()).as("%s runs the last change",
                    node.path("status").path("nodeId")).isEqualTo(lastV2);
        }

        // The killed broker comes back and catches up: the change log, the config and the validator's transaction
        // log fully replicated again.
        int index = LocalKafka.names(t.layout()).indexOf(killed);
        LocalKafka.start(t.layout(), index);
        for (String topic : List.of(MeshTopics.CHANGES, MeshTopics.CONFIG, "__transaction_state")) {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> assertThat(inSync(topic)).as("in-sync replicas of %s", topic).isEqualTo(3));
        }
        long next = apply(weights(100, 0));
        assertThat(next).isEqualTo(before + CHANGES + 1);
    }

    record Applied(String changeId, long generation, int attempts) {
    }

    /**
     * Applies with an Idempotency-Key, retrying the same request while the bus moves its leaders: a retry either
     * gets the first request's verdict or makes the change once.
     */
    static Applied applyWithRetries(byte[] yaml, String key) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        int attempts = 0;
        String last = "";
        while (System.nanoTime() < deadline) {
            attempts++;
            try {
                KshiftClient.Answer a = t.client().post("/api/v1/apply?wait=20s", yaml, key);
                if (a.status() == 200) {
                    assertThat(a.body().path("status").asText()).isEqualTo("ACCEPTED");
                    return new Applied(a.body().path("changeId").asText(), a.body().path("generation").asLong(),
                            attempts);
                }
                assertThat(a.status()).as("only a retryable answer: %s", a.describe()).isIn(202, 500, 502, 503, 504);
                last = a.describe();
            } catch (RuntimeException e) {
                last = e.toString();
            }
            System.out.println("retrying " + key + " after: " + last);
            Fleet.sleep(500);
        }
        throw new AssertionError("change " + key + " not decided in 120 s; last answer " + last);
    }

    static long apply(byte[] yaml) {
        KshiftClient.Answer a = t.client().post("/api/v1/apply?wait=20s", yaml);
        assertThat(a.status()).as(a.describe()).isEqualTo(200);
        long generation = a.body().path("generation").asLong();
        t.client().awaitSynced(generation, Duration.ofSeconds(60));
        return generation;
    }

    static byte[] weights(int v1, int v2) {
        return new String(t.samples().sample("gateway-api/tcp-echo-20-v2.yaml"))
                .replace("weight: 80", "weight: " + v1).replace("weight: 20", "weight: " + v2).getBytes();
    }

    /** The broker (process name) leading partition 0 of {@code topic}. */
    static String leaderOf(String topic) throws Exception {
        var leader = describe(topic).partitions().get(0).leader();
        assertThat(leader).as("%s has a leader", topic).isNotNull();
        return LocalKafka.names(t.layout()).get(leader.id() - 1);
    }

    /** The fewest in-sync replicas of any partition of {@code topic}. */
    static int inSync(String topic) throws Exception {
        return describe(topic).partitions().stream().mapToInt(p -> p.isr().size()).min().orElse(0);
    }

    static TopicDescription describe(String topic) throws Exception {
        Map<String, Object> config = new java.util.HashMap<>(BusCredentials.of(t.layout()).client(BusCredentials.ADMIN));
        try (Admin admin = Admin.create(config)) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
        }
    }
}
