package io.kshift.local;

import io.kshift.model.event.MeshTopics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;

/**
 * A single-node KRaft broker (broker and controller in one process) from the Kafka jars Maven put in
 * {@code deploy/local/target/lib}: formatted once, its data kept under {@code .kshift/kafka} across restarts,
 * topic auto-creation off, and the kshift topics created with their cleanup policies.
 */
final class LocalKafka {
    static final String NAME = "kafka";

    private LocalKafka() {
    }

    static void start(FleetLayout layout) {
        Path dir = layout.workDir().resolve("kafka");
        Path properties = dir.resolve("server.properties");
        try {
            Files.createDirectories(dir);
            Files.writeString(properties, serverProperties(layout, dir.resolve("data")));
            if (!Files.exists(dir.resolve("data/meta.properties"))) {
                format(layout, properties);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ManagedProcess.start(layout, NAME, ManagedProcess.background(ManagedProcess.java(NAME, List.of("-Xmx512m",
                "-Xms128m", "-cp", layout.lib() + "/*", "kafka.Kafka", properties.toString()))));
    }

    private static void format(FleetLayout layout, Path properties) throws IOException {
        List<String> cmd = ManagedProcess.java("kafka-format", List.of("-cp", layout.lib() + "/*",
                "kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c", properties.toString()));
        Files.createDirectories(layout.logs());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(layout.logs().resolve("kafka.log").toFile())).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("formatting Kafka storage failed; see " + layout.logs().resolve("kafka.log"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String serverProperties(FleetLayout layout, Path data) {
        String host = layout.host();
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@" + host + ":" + layout.controllerPort(),
                "listeners=PLAINTEXT://" + host + ":" + layout.kafkaPort() + ",CONTROLLER://" + host + ":"
                        + layout.controllerPort(),
                "advertised.listeners=PLAINTEXT://" + host + ":" + layout.kafkaPort(),
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + data,
                "num.partitions=1",
                "auto.create.topics.enable=false",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=1",
                "group.initial.rebalance.delay.ms=0",
                "log.retention.check.interval.ms=60000",
                "") ;
    }

    /** Waits until the broker answers, then creates the kshift topics. */
    static void awaitReadyAndCreateTopics(FleetLayout layout, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            if (ManagedProcess.running(layout, NAME).isEmpty()) {
                throw new IllegalStateException("Kafka exited; see " + layout.logs().resolve("kafka.log"));
            }
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", layout.bootstrapServers(),
                    "request.timeout.ms", 3000, "default.api.timeout.ms", 5000))) {
                admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                MeshTopics.ensure(admin, (short) 1);
                return;
            } catch (Exception e) {
                last = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                Fleet.sleep(500);
            }
        }
        throw new IllegalStateException("Kafka did not become ready in " + timeout, last);
    }
}
