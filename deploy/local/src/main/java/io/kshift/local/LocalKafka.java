package io.kshift.local;

import io.kshift.model.bus.BusSetup;
import io.kshift.model.bus.MeshAcls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;

/**
 * KRaft brokers (broker and controller in one process each) from the Kafka jars Maven put in
 * {@code deploy/local/target/lib}: one ({@code .kshift/kafka}) or a cluster of several ({@code .kshift/kafka-N},
 * every topic on every broker, writes acknowledged by two: one broker may die without losing or stopping
 * anything); formatted once, data kept across restarts, topic auto-creation off, and the kshift topics created
 * with their cleanup policies.
 *
 * <p>The bus is closed: services log in with SCRAM-SHA-512 ({@link BusCredentials}; the users are made through the
 * Admin API at each start, by {@link BusSetup} as compose's kafka-init does), the broker's own admin with PLAIN, and
 * the StandardAuthorizer lets each service do only what {@link MeshAcls} grants it. An anonymous client is refused.
 */
final class LocalKafka {
    static final String NAME = "kafka";

    private LocalKafka() {
    }

    /** The brokers' process names: {@code kafka} alone, or {@code kafka-1} ... {@code kafka-N} in a cluster. */
    static List<String> names(FleetLayout layout) {
        if (layout.brokers() == 1) {
            return List.of(NAME);
        }
        return java.util.stream.IntStream.rangeClosed(1, layout.brokers()).mapToObj(i -> NAME + "-" + i).toList();
    }

    /**
     * The broker's JVM: G1 with its default pause goal, and a metaspace threshold above what the broker loads
     * (~52 MB committed; the default ~21 MB threshold made metadata-triggered collections at start). Every change,
     * verdict, config record and status report passes through this process, so its pauses stall every hop that
     * touches it: Kafka's start script's 20 ms goal made G1 shrink the young generation to a few MB and collect
     * several times a second, each pause stretched by the shared cores (41 pauses, 1.4 s in all, during
     * `./kshift bench scale`).
     */
    static final List<String> BROKER_JVM = List.of("-Xmx512m", "-Xms128m", "-XX:+UseG1GC", "-XX:MetaspaceSize=96m");

    /** Starts every broker that is not running. */
    static void start(FleetLayout layout) {
        List<String> names = names(layout);
        for (int i = 0; i < names.size(); i++) {
            if (ManagedProcess.running(layout, names.get(i)).isEmpty()) {
                start(layout, i);
            }
        }
    }

    /** Starts broker {@code index} (node id {@code index + 1}), formatting its storage the first time. */
    static void start(FleetLayout layout, int index) {
        String name = names(layout).get(index);
        Path dir = layout.workDir().resolve(name);
        Path properties = dir.resolve("server.properties");
        try {
            Files.createDirectories(dir);
            BusCredentials credentials = BusCredentials.of(layout);
            Path data = dir.resolve("data");
            // The broker's own password is in it.
            String server = serverProperties(layout, index, data, credentials);
            BusCredentials.writePrivate(properties, w -> w.write(server));
            if (!Files.exists(data.resolve("meta.properties"))) {
                format(layout, name, properties);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> args = new java.util.ArrayList<>(BROKER_JVM);
        args.addAll(List.of("-cp", layout.lib() + "/*", "kafka.Kafka", properties.toString()));
        ManagedProcess.start(layout, name, ManagedProcess.background(ManagedProcess.java(name, args)));
    }

    /** One cluster id for every broker of this work folder, made by the first format. */
    private static String clusterId(FleetLayout layout) throws IOException {
        Path file = layout.workDir().resolve("kafka-cluster.id");
        if (!Files.exists(file)) {
            Files.writeString(file, Uuid.randomUuid().toString());
        }
        return Files.readString(file).trim();
    }

    private static void format(FleetLayout layout, String name, Path properties) throws IOException {
        List<String> cmd = ManagedProcess.java("kafka-format", List.of("-cp", layout.lib() + "/*",
                "kafka.tools.StorageTool", "format", "-t", clusterId(layout), "-c", properties.toString()));
        Files.createDirectories(layout.logs());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(layout.logs().resolve(name + ".log").toFile())).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("formatting Kafka storage failed; see " + layout.logs().resolve(name + ".log"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String serverProperties(FleetLayout layout, int index, Path data, BusCredentials credentials) {
        String host = layout.host();
        String admin = credentials.password(BusCredentials.ADMIN);
        int brokers = layout.brokers();
        List<String> voters = new java.util.ArrayList<>();
        for (int i = 0; i < brokers; i++) {
            voters.add((i + 1) + "@" + host + ":" + layout.controllerPorts().get(i));
        }
        // In a cluster every record is on every broker and a write needs two of them: one may die and nothing
        // acknowledged is lost, nor does anything stop.
        int minInSync = Math.min(2, brokers);
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=" + (index + 1),
                "controller.quorum.voters=" + String.join(",", voters),
                "listeners=BROKER://" + host + ":" + layout.kafkaPorts().get(index) + ",CONTROLLER://" + host + ":"
                        + layout.controllerPorts().get(index),
                "advertised.listeners=BROKER://" + host + ":" + layout.kafkaPorts().get(index),
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=BROKER",
                "listener.security.protocol.map=BROKER:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT",
                // Services log in with SCRAM (users kept in the metadata log, made by the admin at each start); the
                // broker's own admin with PLAIN, from this file only: it exists before any SCRAM user does, so the
                // users can be made, and added later, without reformatting.
                "sasl.enabled.mechanisms=" + BusSetup.MECHANISM + ",PLAIN",
                "sasl.mechanism.inter.broker.protocol=PLAIN",
                "listener.name.broker.sasl.enabled.mechanisms=" + BusSetup.MECHANISM + ",PLAIN",
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
                "default.replication.factor=" + brokers,
                "min.insync.replicas=" + minInSync,
                "offsets.topic.replication.factor=" + brokers,
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=" + brokers,
                "transaction.state.log.min.isr=" + minInSync,
                "transaction.state.log.num.partitions=1",
                "group.initial.rebalance.delay.ms=0",
                // A dead broker is noticed in 3 s, not 9: its partitions get a new leader (and it leaves the ISR,
                // which acks=all writes wait for) well within the producers' 10 s delivery timeout.
                "broker.session.timeout.ms=3000",
                "broker.heartbeat.interval.ms=1000",
                "log.retention.check.interval.ms=60000",
                // The log cleaner allocates its whole key map at start, 128 MB by default: a humongous array that
                // kept the old generation over G1's marking threshold, so every other young collection started a
                // marking cycle (pauses of 15-100 ms and a remark during config changes). The compacted topics here
                // hold a handful of keys (node ids, group offsets) to a few thousand (the telemetry windows'
                // changelogs); 8 MB maps ~315,000 keys per cleaning pass (24 bytes a slot, filled to 90 %), and a
                // pass that fills it cleans part of a segment and goes on next time. Kafka wants over 1 MB per
                // cleaner thread: this allows up to 7 (one by default).
                "log.cleaner.dedupe.buffer.size=8388608",
                "") ;
    }

    /**
     * Waits until every broker answers, then creates the kshift topics, users and ACLs ({@link BusSetup#run}, as
     * compose's kafka-init does); gives up at once if a broker process exited.
     */
    static void awaitReadyAndCreateTopics(FleetLayout layout, Duration timeout) {
        BusCredentials credentials = BusCredentials.of(layout);
        Runnable brokersAlive = () -> {
            for (String name : names(layout)) {
                if (!ManagedProcess.alive(layout, name)) {
                    throw new IllegalStateException(name + " exited; see " + layout.logs().resolve(name + ".log"));
                }
            }
        };
        try {
            BusSetup.run(credentials.client(BusCredentials.ADMIN), layout.brokers(), credentials.passwords(), timeout,
                    brokersAlive, progress -> { });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for Kafka", e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("Kafka did not become ready: " + e, e);
        }
    }
}
