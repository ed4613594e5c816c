package io.kshift.config.history;

import io.kshift.model.bus.BusConnection;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.event.SnapshotDelta;
import io.kshift.model.event.SnapshotLoader;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The whole config of one generation from {@code kshift.config-history}: its record, and when that is a
 * {@link SnapshotDelta}, the checkpoint it is on (both found by {@link GenerationHistory}'s offsets). A short-lived
 * consumer, no group. Blocking.
 */
@ApplicationScoped
public class SnapshotFetcher {
    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafka;
    @ConfigProperty(name = "kshift.topics.config-history", defaultValue = MeshTopics.CONFIG_HISTORY)
    String topic;
    @Inject
    GenerationHistory history;
    private final FetchSlots slots;

    public SnapshotFetcher(@ConfigProperty(name = "kshift.history.max-concurrent-rebuilds", defaultValue = "2")
                           int rebuilds) {
        this.slots = new FetchSlots(rebuilds);
    }

    /**
     * Generation {@code n}'s snapshot; empty when the history does not list it. Throws {@link Gone} when it is listed
     * but cannot be rebuilt (its checkpoint or its own record has passed the topic's retention), and
     * {@link FetchSlots.Busy} when this instance is rebuilding as many as it may at once.
     */
    public Optional<MeshSnapshot> generation(long n) {
        return generation(n, false);
    }

    /** {@code forRollback}: a rollback, which may take the slot kept for rollbacks when the shared ones are busy. */
    public Optional<MeshSnapshot> generation(long n, boolean forRollback) {
        Optional<Long> offset = history.offsetOf(n);
        if (offset.isEmpty()) {
            return Optional.empty();
        }
        try (FetchSlots.Slot slot = slots.take(forRollback)) {
            return rebuild(n, offset.get());
        }
    }

    private Optional<MeshSnapshot> rebuild(long n, long offset) {
        Properties p = BusConnection.of(kafka).properties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(MeshTopics.MAX_RECORD_BYTES));
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2");
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            ConsumerRecord<String, String> record = read(consumer, partition, offset,
                    "generation " + n + "'s history record");
            if (!MeshTopics.isDelta(record.key(), record.headers(), record.value())) {
                return Optional.of(EventCodec.decode(record.value(), MeshSnapshot.class));
            }
            SnapshotDelta delta = EventCodec.decode(record.value(), SnapshotDelta.class);
            long base = history.offsetOf(delta.base()).orElseThrow(() -> new Gone("generation " + n
                    + " is a delta on generation " + delta.base() + ", which is no longer in the history"));
            ConsumerRecord<String, String> checkpoint = read(consumer, partition, base, "generation " + n
                    + " is a delta on generation " + delta.base() + ", whose history record");
            if (MeshTopics.isDelta(checkpoint.key(), checkpoint.headers(), checkpoint.value())) {
                throw new Gone("generation " + n + " is a delta on generation " + delta.base()
                        + ", whose history record is not a whole snapshot");
            }
            return Optional.of(delta.applyTo(EventCodec.decode(checkpoint.value(), MeshSnapshot.class))
                    .orElseThrow(() -> new Gone("generation " + n + " does not add up to " + delta.resources()
                            + " resources on generation " + delta.base())));
        }
    }

    private static ConsumerRecord<String, String> read(KafkaConsumer<String, String> consumer,
                                                       TopicPartition partition, long offset, String what) {
        ConsumerRecord<String, String> record = SnapshotLoader.recordAt(consumer, partition, offset,
                Duration.ofSeconds(10));
        if (record == null) {
            throw new Gone(what + " (offset " + offset + ") is gone: past the topic's retention (30 days)");
        }
        return record;
    }

    /** A generation the history lists that cannot be rebuilt from it. */
    public static final class Gone extends RuntimeException {
        Gone(String message) {
            super(message);
        }
    }
}
