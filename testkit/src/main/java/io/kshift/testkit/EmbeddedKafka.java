package io.kshift.testkit;

import io.kshift.model.event.MeshTopics;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * One real KRaft Kafka broker per test JVM (combined broker+controller, ports chosen by the OS), with the kshift
 * topics created as production creates them. {@code KAFKA_BOOTSTRAP_SERVERS} points tests at an external broker
 * instead (the standalone one from {@code deploy/local}, or a real cluster).
 */
public final class EmbeddedKafka {
    /** Held so the levels stick: JUL keeps loggers only weakly. The broker logs every partition change at INFO. */
    private static final List<java.util.logging.Logger> QUIETED = Stream.of("kafka", "org.apache.kafka",
                    "state.change.logger")
            .map(java.util.logging.Logger::getLogger)
            .peek(l -> l.setLevel(java.util.logging.Level.WARNING))
            .toList();
    private static String bootstrap;
    private static KafkaClusterTestKit cluster;

    private EmbeddedKafka() {
    }

    public static synchronized String bootstrapServers() {
        if (bootstrap == null) {
            String external = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
            bootstrap = external != null && !external.isBlank() ? external : startEmbedded();
            createTopics(bootstrap);
        }
        return bootstrap;
    }

    private static String startEmbedded() {
        try {
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build();
            KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(nodes)
                    // Single-node internal topics: with the defaults consumer groups and transactions never form.
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("transaction.state.log.num.partitions", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("auto.create.topics.enable", "false")
                    .build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            cluster = kit;
            Runtime.getRuntime().addShutdownHook(new Thread(EmbeddedKafka::close, "embedded-kafka-stop"));
            return kit.bootstrapServers();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the embedded Kafka broker", e);
        }
    }

    private static void createTopics(String servers) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        try (Admin admin = Admin.create(props)) {
            MeshTopics.ensure(admin, (short) 1);
        }
    }

    private static synchronized void close() {
        if (cluster != null) {
            // The JVM is exiting after its tests: a broker that hits a fault while closing must not halt the JVM
            // with a non-zero code (Kafka's fatal-fault handler calls Exit.halt), turning a green run red.
            org.apache.kafka.common.utils.Exit.setHaltProcedure((code, message) -> { });
            org.apache.kafka.common.utils.Exit.setExitProcedure((code, message) -> { });
            try {
                cluster.close();
            } catch (Exception ignored) {
                // the JVM is exiting; nothing left to clean
            }
            cluster = null;
        }
    }

    /** Properties for a plain Kafka client pointed at the test broker. */
    public static Map<String, Object> clientConfig() {
        return Map.of("bootstrap.servers", bootstrapServers());
    }
}
