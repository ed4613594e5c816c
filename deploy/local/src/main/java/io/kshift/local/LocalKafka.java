package io.kshift.local;

import io.kshift.model.bus.MeshAcls;
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
 *
 * <p>The bus is closed: services log in with SCRAM-SHA-512 ({@link BusCredentials}; the users are made through the
 * Admin API at each start), the broker's own admin with PLAIN, and the StandardAuthorizer lets each service do only
 * what {@link MeshAcls} grants it. An anonymous client is refused.
 */
final class LocalKafka {
    static final String NAME = "kafka";
    /** telemetry-service's Kafka Streams application id (its application.properties). */
    static final String TELEMETRY_APP_ID = "kshift-telemetry";

    private LocalKafka() {
    }

    static void start(FleetLayout layout) {
        Path dir = layout.workDir().resolve("kafka");
        Path properties = dir.resolve("server.properties");
        try {
            Files.createDirectories(dir);
            BusCredentials credentials = BusCredentials.of(layout);
            Path data = dir.resolve("data");
            // The broker's own password is in it.
            String server = serverProperties(layout, data, credentials);
            BusCredentials.writePrivate(properties, w -> w.write(server));
            if (!Files.exists(data.resolve("meta.properties"))) {
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

    private static String serverProperties(FleetLayout layout, Path data, BusCredentials credentials) {
        String host = layout.host();
        String admin = credentials.password(BusCredentials.ADMIN);
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@" + host + ":" + layout.controllerPort(),
                "listeners=BROKER://" + host + ":" + layout.kafkaPort() + ",CONTROLLER://" + host + ":"
                        + layout.controllerPort(),
                "advertised.listeners=BROKER://" + host + ":" + layout.kafkaPort(),
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=BROKER",
                "listener.security.protocol.map=BROKER:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT",
                // Services log in with SCRAM (users kept in the metadata log, made by the admin at each start); the
                // broker's own admin with PLAIN, from this file only: it exists before any SCRAM user does, so the
                // users can be made, and added later, without reformatting.
                "sasl.enabled.mechanisms=" + BusCredentials.MECHANISM + ",PLAIN",
                "sasl.mechanism.inter.broker.protocol=PLAIN",
                "listener.name.broker.sasl.enabled.mechanisms=" + BusCredentials.MECHANISM + ",PLAIN",
                "listener.name.broker.plain.sasl.jaas.config=" + BusCredentials.plainAdmin(admin),
                "listener.name.broker.scram-sha-512.sasl.jaas.config="
                        + "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                "sasl.mechanism.controller.protocol=PLAIN",
                "listener.name.controller.sasl.enabled.mechanisms=PLAIN",
                "listener.name.controller.plain.sasl.jaas.config=" + BusCredentials.plainAdmin(admin),
                "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "super.users=User:" + BusCredentials.ADMIN,
                "allow.everyone.if.no.acl.found=false",
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
            if (!ManagedProcess.alive(layout, NAME)) {
                throw new IllegalStateException("Kafka exited; see " + layout.logs().resolve("kafka.log"));
            }
            Map<String, Object> config = new java.util.HashMap<>(BusCredentials.of(layout).client(BusCredentials.ADMIN));
            config.put("request.timeout.ms", 3000);
            config.put("default.api.timeout.ms", 5000);
            try (Admin admin = Admin.create(config)) {
                admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                MeshTopics.ensure(admin, (short) 1);
                BusCredentials.of(layout).ensureUsers(admin);
                admin.createAcls(MeshAcls.all(TELEMETRY_APP_ID)).all().get(10, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                last = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                Fleet.sleep(500);
            }
        }
        throw new IllegalStateException("Kafka did not become ready in " + timeout, last);
    }
}
