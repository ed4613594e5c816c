package io.kshift.validator.pipeline;

import io.kshift.model.event.ChangeRequested;
import io.kshift.model.event.ChangeResult;
import io.kshift.model.event.ChangeStatus;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.GenerationSummary;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.event.SnapshotLoader;
import io.kshift.model.event.Schemas;
import io.kshift.model.event.ValidationMessage;
import io.kshift.validator.rules.ChangeValidator;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.validation.Validator;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The validator's one pipeline: {@code kshift.changes} → {@link ChangeValidator} → {@code kshift.change-results}
 * and, when accepted, {@code kshift.config} and {@code kshift.config-history}. Each change's result, snapshot and consumed offset are committed in
 * one Kafka transaction, so a crash never loses an accepted change nor applies one twice.
 *
 * <p>Several validators may run; the one assigned the change partition is active. Its transactional producer is
 * created on assignment with a transactional id tied to the partition, so a new owner's {@code initTransactions}
 * aborts a dead owner's open transaction at once and fences it if it wakes up: readers never wait out a
 * transaction timeout after a crash, and a zombie cannot commit.
 *
 * <p>Plain Kafka clients rather than a SmallRye channel because the loop must reload the live snapshot from
 * {@code kshift.config} every time it is assigned the change partition (start, failover) before it reads a
 * change, and must abort and rewind on a failed transaction; the client API says that directly.
 */
@ApplicationScoped
public class ChangeLoop implements Runnable {
    private static final Logger LOG = Logger.getLogger(ChangeLoop.class);
    /** One line per decision, who asked and what was decided: route category {@code kshift.audit} to keep them. */
    private static final Logger AUDIT = Logger.getLogger("kshift.audit");

    private final io.kshift.model.bus.BusConnection bus;
    @ConfigProperty(name = "kshift.topics.changes", defaultValue = MeshTopics.CHANGES)
    String changesTopic;
    @ConfigProperty(name = "kshift.topics.change-results", defaultValue = MeshTopics.CHANGE_RESULTS)
    String resultsTopic;
    @ConfigProperty(name = "kshift.topics.changes-dead-letter", defaultValue = MeshTopics.CHANGES_DEAD_LETTER)
    String deadLetterTopic;
    @ConfigProperty(name = "kshift.topics.config", defaultValue = MeshTopics.CONFIG)
    String configTopic;
    @ConfigProperty(name = "kshift.topics.config-history", defaultValue = MeshTopics.CONFIG_HISTORY)
    String historyTopic;
    @ConfigProperty(name = "kshift.validator.group", defaultValue = "kshift-validator")
    String group;
    @ConfigProperty(name = "kshift.validator.session-timeout-ms", defaultValue = "6000")
    int sessionTimeoutMs;

    private final ChangeValidator validator;
    private final ValidatorWarmUp warmUp;
    private final AtomicReference<MeshSnapshot> live = new AtomicReference<>(MeshSnapshot.empty());
    private volatile boolean running = true;
    private volatile boolean active;
    /** When the loop last came back from a poll (System.nanoTime); 0 before the first. */
    private volatile long lastPoll;
    private final java.util.concurrent.atomic.AtomicLong restarts = new java.util.concurrent.atomic.AtomicLong();
    /** Restarts since the loop last committed a decision or found nothing to read: it is stuck on a record. */
    private final java.util.concurrent.atomic.AtomicInteger failuresInARow = new java.util.concurrent.atomic.AtomicInteger();
    private KafkaConsumer<String, byte[]> consumer;
    private KafkaProducer<String, byte[]> producer;
    private Thread thread;

    public ChangeLoop(Validator validator, ValidatorWarmUp warmUp,
                      @io.smallrye.common.annotation.Identifier("default-kafka-broker") Map<String, Object> kafka,
                      @ConfigProperty(name = "kshift.validator.egress.deny", defaultValue = "169.254.0.0/16,fe80::/10")
                      List<String> denied,
                      @ConfigProperty(name = "kshift.validator.egress.fleet") java.util.Optional<List<String>> fleet,
                      @ConfigProperty(name = "kshift.validator.egress.allow") java.util.Optional<List<String>> allowed) {
        this.bus = io.kshift.model.bus.BusConnection.of(kafka);
        this.warmUp = warmUp;
        this.validator = new ChangeValidator(validator, Clock.systemUTC(), egress(bus.bootstrapServers(), denied,
                fleet.orElse(List.of()), allowed.orElse(List.of())));
    }

    /**
     * The addresses the fleet's named endpoints resolve to now (a Service's cluster IP, a container's address), so
     * a WorkloadEntry naming the address is refused like one naming the name. Pod addresses behind a Service are not
     * known here; in Kubernetes the NetworkPolicies keep proxies from the fleet's pods.
     */
    static List<String> addressesOf(List<String> hostPorts) {
        List<String> out = new java.util.ArrayList<>();
        for (String entry : hostPorts) {
            int colon = entry.lastIndexOf(':');
            if (colon <= 0 || entry.contains("/")) {
                continue;
            }
            String host = entry.substring(0, colon);
            if (host.matches("[0-9.]+") || host.contains(":") || host.startsWith("[")) {
                continue;
            }
            try {
                for (java.net.InetAddress a : java.net.InetAddress.getAllByName(host)) {
                    String literal = a.getHostAddress();
                    out.add((literal.contains(":") ? "[" + literal + "]" : literal) + entry.substring(colon));
                }
            } catch (java.net.UnknownHostException e) {
                LOG.infof("egress: %s does not resolve (yet); refused by name only", host);
            }
        }
        return out;
    }

    /** The denied ranges, the fleet's own endpoints and Kafka's bootstrap servers (always kshift's own). */
    static io.kshift.validator.rules.EgressPolicy egress(String bootstrapServers, List<String> denied,
                                                         List<String> fleet, List<String> allowed) {
        List<String> all = new java.util.ArrayList<>(denied);
        all.addAll(fleet);
        all.addAll(addressesOf(fleet));
        for (String server : bootstrapServers.split(",")) {
            String s = server.trim().replaceFirst("^[A-Za-z_]+://", "");
            if (s.matches(".+:\\d+")) {
                all.add(s);
            }
        }
        return io.kshift.validator.rules.EgressPolicy.of(all, allowed);
    }

    void start(@Observes StartupEvent event) {
        thread = new Thread(this, "kshift-change-loop");
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        if (thread != null) {
            thread.join(10_000);
        }
    }

    /** The snapshot this validator would build the next change on. */
    public MeshSnapshot live() {
        return live.get();
    }

    /**
     * Whether the loop is alive and polling: it came back from a poll within {@code within} (a poll waits at most
     * half a second; loading the live config on assignment takes seconds at most) and is not restarting on the same
     * records again and again.
     */
    public boolean polling(Duration within) {
        long last = lastPoll;
        return thread != null && thread.isAlive() && last != 0 && System.nanoTime() - last < within.toNanos()
                && failuresInARow.get() < STUCK_AFTER;
    }

    /** The most a verdict may take on the bus: its limit less room for the key and the record's framing. */
    static final int VERDICT_BYTES = MeshTopics.MAX_RECORD_BYTES - 64 * 1024;

    /** Restarts in a row on the same records after which the loop counts as stuck (not ready), though alive. */
    static final int STUCK_AFTER = 3;

    /** How often the loop crashed and restarted since this validator started. */
    public long restarts() {
        return restarts.get();
    }

    /** Whether this instance holds the change partition (the others stand by). */
    public boolean active() {
        return active;
    }

    @Override
    public void run() {
        // Before the first poll: the validator reports ready only once its loop polls, so it is warm by then.
        warmUp.run();
        while (running) {
            try (KafkaConsumer<String, byte[]> c = consumer()) {
                consumer = c;
                c.subscribe(List.of(changesTopic), new Reload());
                while (running) {
                    var records = c.poll(Duration.ofMillis(500));
                    lastPoll = System.nanoTime();
                    if (records.isEmpty()) {
                        failuresInARow.set(0);
                    }
                    for (ConsumerRecord<String, byte[]> record : records) {
                        process(producer, c, record);
                    }
                }
            } catch (WakeupException e) {
                LOG.debug("change loop woken for shutdown");
            } catch (ProducerFencedException e) {
                LOG.warn("another validator took over the transactional id; restarting the loop", e);
            } catch (KafkaException e) {
                LOG.warn("change loop failed; restarting it from the last committed change", e);
                restarts.incrementAndGet();
                failuresInARow.incrementAndGet();
                pause();
            } catch (RuntimeException e) {
                // Not a bus failure: a bug. The loop restarts from the last committed change rather than die with
                // its health still UP and every later change PENDING for ever.
                LOG.error("change loop crashed; restarting it from the last committed change", e);
                restarts.incrementAndGet();
                failuresInARow.incrementAndGet();
                pause();
            } finally {
                closeProducer();
                active = false;
            }
        }
    }

    private void process(KafkaProducer<String, byte[]> producer, KafkaConsumer<String, byte[]> c,
                         ConsumerRecord<String, byte[]> record) {
        MeshSnapshot current = live.get();
        long started = System.nanoTime();
        Verdict verdict = decide(current, record);
        if (verdict == Verdict.DUPLICATE) {
            // The same change again (an Idempotency-Key retry that reached the bus twice): decided once, answered
            // once; only the offset moves.
            producer.beginTransaction();
            consumed(producer, c, record);
            producer.commitTransaction();
            LOG.infof("change at offset %d was decided before; skipped", record.offset());
            return;
        }
        ChangeValidator.Decision decision = verdict.decision();
        long millis = (System.nanoTime() - started) / 1_000_000;
        VerdictFit.Fitted fitted = VerdictFit.fit(decision.result().withValidationMillis(millis), VERDICT_BYTES);
        ChangeResult result = fitted.result();
        SentRecords sent = new SentRecords(producer);
        ConfigChain.Next written;
        producer.beginTransaction();
        try {
            sent.send("verdict", new ProducerRecord<>(resultsTopic, result.changeId(), fitted.bytes()));
            if (verdict.deadLetter() != null) {
                sent.send("dead-letter copy", ChangeEnvelope.deadLetter(deadLetterTopic, record,
                        verdict.deadLetter()));
            }
            written = decision.next().map(s -> {
                // Summaries ride along so readers that need only the generation skip decoding; the live topic's
                // leaves out the list of changes (MBs itself for a bulk change, and nobody reads it there).
                ConfigChain.Next next = chain.next(s, decision.delta(), decision.snapshotBytes(),
                        decision::snapshot);
                ProducerRecord<String, byte[]> config = new ProducerRecord<>(configTopic, next.key(), next.value());
                config.headers().add(GenerationSummary.HEADER, utf8(GenerationSummary.of(s, List.of(), result.submittedBy())));
                sent.send("config record", config);
                // History gets the same record, keyed by generation: a rollback rebuilds a delta's generation from
                // it and its checkpoint, and no change carries the whole snapshot (MBs) that nobody reads at once.
                ProducerRecord<String, byte[]> history = new ProducerRecord<>(historyTopic,
                        String.valueOf(s.generation()), next.value());
                // The decision's own list: the verdict's may have been trimmed to fit (VerdictFit), and the summary
                // decides which namespaces' readers see this generation.
                history.headers().add(GenerationSummary.HEADER, utf8(GenerationSummary.of(s,
                        decision.result().resources(), result.submittedBy())));
                history.headers().add(MeshTopics.SCHEMA_HEADER, (next.isCheckpoint() ? Schemas.MESH_SNAPSHOT
                        : Schemas.SNAPSHOT_DELTA).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sent.send("history record", history);
                return next;
            }).orElse(null);
            consumed(producer, c, record);
            producer.commitTransaction();
        } catch (ProducerFencedException e) {
            throw e;
        } catch (KafkaException e) {
            producer.abortTransaction();
            String why = sent.refusedForSize();
            if (why == null) {
                throw e;
            }
            refuseTooLarge(producer, c, record, result, why);
            return;
        }
        if (written != null) {
            chain.committed(written);
        }
        failuresInARow.set(0);
        decided.add(result.changeId());
        decision.next().ifPresent(live::set);
        AUDIT.info(AuditLine.of(result, decision.snapshotBytes()));
    }

    /**
     * A change whose records the bus refused for their size: rejected, saying so, and kept in the dead-letter
     * topic, in a transaction of its own with the consumed offset, so the loop goes on to the next change.
     */
    private void refuseTooLarge(KafkaProducer<String, byte[]> producer, KafkaConsumer<String, byte[]> c,
                                ConsumerRecord<String, byte[]> record, ChangeResult verdict, String why) {
        LOG.errorf("change %s could not be recorded: %s; rejected, and the record kept in %s", verdict.changeId(),
                why, deadLetterTopic);
        ChangeResult refused = new ChangeResult(Schemas.CHANGE_RESULT, verdict.changeId(), ChangeStatus.REJECTED,
                live.get().generation(), verdict.dryRun(), List.of(), List.of(new ValidationMessage("change", "",
                "the change cannot be recorded: " + why + "; apply it in smaller parts")), List.of(),
                java.time.Instant.now(), verdict.validationMillis(), verdict.submittedBy());
        producer.beginTransaction();
        try {
            producer.send(new ProducerRecord<>(resultsTopic, refused.changeId(), VerdictFit.encode(refused)));
            ProducerRecord<String, byte[]> copy = ChangeEnvelope.deadLetter(deadLetterTopic, record,
                    "too large to record: " + why);
            if (SentRecords.size(copy) <= VERDICT_BYTES) { // a copy must fit too
                producer.send(copy);
            }
            consumed(producer, c, record);
            producer.commitTransaction();
        } catch (ProducerFencedException e) {
            throw e;
        } catch (KafkaException e) {
            producer.abortTransaction();
            throw e;
        }
        failuresInARow.set(0);
        decided.add(refused.changeId());
        AUDIT.info(AuditLine.of(refused, 0));
    }

    /** Moves the change partition's offset past {@code record} in the producer's open transaction. */
    private static void consumed(KafkaProducer<String, byte[]> producer, KafkaConsumer<String, byte[]> c,
                                 ConsumerRecord<String, byte[]> record) {
        producer.sendOffsetsToTransaction(Map.of(new TopicPartition(record.topic(), record.partition()),
                new OffsetAndMetadata(record.offset() + 1)), c.groupMetadata());
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static byte[] utf8(Object event) {
        return EventCodec.encode(event).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A decision, and why the record goes to the dead-letter topic too (null: it does not). */
    record Verdict(ChangeValidator.Decision decision, String deadLetter) {
        static final Verdict DUPLICATE = new Verdict(null, null);
    }

    /** Replaced on taking over the change partition (change-loop thread only). */
    private DecidedChanges decided = new DecidedChanges();
    /** What this owner wrote to the config topic since its last checkpoint (change-loop thread only). */
    private final ConfigChain chain = new ConfigChain();

    /**
     * Never throws: a record that is not a change, or one the rules fail on, is rejected (under its change id when
     * it has one, so whoever submitted it gets an answer) and copied to the dead-letter topic; the loop goes on.
     */
    Verdict decide(MeshSnapshot current, ConsumerRecord<String, byte[]> record) {
        ChangeRequested change;
        try {
            change = EventCodec.decode(ChangeEnvelope.text(record.value()), ChangeRequested.class);
        } catch (RuntimeException e) {
            String why = ChangeEnvelope.notAChange(e.getMessage() == null ? e.toString() : e.getMessage());
            LOG.warnf("undecodable change at offset %d: %s", record.offset(), why);
            return ChangeEnvelope.rejected(current, record, ChangeEnvelope.changeIdOf(record.value()),
                    List.of(new ValidationMessage("change", "", why)), why);
        }
        if (change == null) {
            return ChangeEnvelope.rejected(current, record, null, List.of(new ValidationMessage("change", "",
                    ChangeEnvelope.notAChange("an empty record"))), "empty record");
        }
        List<ValidationMessage> problems = ChangeEnvelope.problems(change);
        if (!problems.isEmpty()) {
            LOG.warnf("malformed change at offset %d: %s", record.offset(), problems);
            return ChangeEnvelope.rejected(current, record, change.changeId(), problems, ChangeEnvelope.notAChange(
                    problems.stream().map(m -> m.field() + " " + m.message()).toList().toString()));
        }
        if (decided.contains(change.changeId())) {
            return Verdict.DUPLICATE;
        }
        try {
            return new Verdict(validator.decide(current, change), null);
        } catch (RuntimeException | StackOverflowError e) {
            // A stack overflow (a rule following references round a loop) unwinds like an exception: this change is
            // refused and kept, and the loop goes on instead of dying on an Error with every later change waiting.
            LOG.errorf(e, "validating change %s failed; rejected, and the record kept in %s", change.changeId(),
                    MeshTopics.CHANGES_DEAD_LETTER);
            return ChangeEnvelope.failed(current, record, change, List.of(new ValidationMessage("change", "",
                    "the validator could not process this change (" + e + "); it was kept for inspection in "
                            + MeshTopics.CHANGES_DEAD_LETTER)), "validator failure: " + e);
        }
    }

    private KafkaProducer<String, byte[]> producer(TopicPartition partition) {
        // One id per input partition, so whoever owns the partition owns the id (see the class comment).
        return DecisionProducer.create(bus.properties(),
                group + "-" + partition.topic() + "-" + partition.partition());
    }

    private KafkaConsumer<String, byte[]> consumer() {
        Properties p = bus.properties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "100");
        // A crashed validator is noticed in seconds, not the default 45 s; the standby then takes over.
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, String.valueOf(sessionTimeoutMs));
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, String.valueOf(Math.max(500, sessionTimeoutMs / 4)));
        return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private void closeProducer() {
        if (producer != null) {
            try {
                producer.close(Duration.ofSeconds(5));
            } catch (KafkaException e) {
                LOG.debug("closing the transactional producer", e);
            }
            producer = null;
        }
    }

    /**
     * On gaining the change partition: take over its transactional id (aborting whatever a previous owner left
     * open), then rebuild the live config from the config topic, which is now stable, before reading on.
     */
    private final class Reload implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            long started = System.nanoTime();
            closeProducer();
            producer = producer(partitions.iterator().next());
            producer.initTransactions();
            long fenced = System.nanoTime();
            live.set(liveConfig());
            chain.reset();
            long loaded = System.nanoTime();
            decided = DecidedChanges.fromResults(bus, resultsTopic);
            active = true;
            // The parts of a takeover, so a slow one says where its time went.
            LOG.infof("active: live config is generation %d (took over in %d ms: transactions %d, snapshot %d, "
                            + "decided changes %d)", live.get().generation(), millisSince(started),
                    (fenced - started) / 1_000_000, (loaded - fenced) / 1_000_000, millisSince(loaded));
        }

        /**
         * The live config from the config topic; from the history (the same records, not compacted, so a stray
         * record cannot hide one there) when the config topic's newest delta cannot be rebuilt there. This owner's
         * first record is a checkpoint, which mends the topic.
         */
        private MeshSnapshot liveConfig() {
            try {
                return new SnapshotLoader(bus, configTopic).latest();
            } catch (SnapshotLoader.BrokenChain e) {
                LOG.errorf("%s; reading the live config from %s instead", e.getMessage(), historyTopic);
                MeshSnapshot whole = new SnapshotLoader(bus, historyTopic).latest();
                if (whole.generation() <= 0 || whole.generation() < e.generation()) {
                    // Retried with the loop: an older generation must never be taken for the live one.
                    throw new IllegalStateException("the newest generation on " + historyTopic + " is "
                            + whole.generation() + ", not the live one", e);
                }
                return whole;
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            active = false;
            closeProducer();
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
        }
    }
}
