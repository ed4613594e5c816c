package io.kshift.model.event;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the live config from the compacted config topic (its newest checkpoint, moved on by the newest delta after
 * it), to its end as it stands now (the history topic, which has the same records keyed by generation, reads the
 * same way): Kafka is the only memory, so the validator runs this whenever it (re)gains the
 * change partition, and a proxy node to learn which generation it must run before it is ready.
 */
public final class SnapshotLoader {
    private static final System.Logger LOG = System.getLogger(SnapshotLoader.class.getName());
    private final io.kshift.model.bus.BusConnection bus;
    private final String topic;

    public SnapshotLoader(String bootstrapServers, String topic) {
        this(io.kshift.model.bus.BusConnection.plain(bootstrapServers), topic);
    }

    public SnapshotLoader(io.kshift.model.bus.BusConnection bus, String topic) {
        this.bus = bus;
        this.topic = topic;
    }

    public MeshSnapshot latest() {
        return latestWithCheckpoint().snapshot();
    }

    /**
     * The live snapshot, and the generation of the checkpoint it was built from (its own generation when the newest
     * record is a whole snapshot; the delta's base when it is a {@link SnapshotDelta}): what a reader of the topic
     * from the start must not skip.
     */
    public record Latest(MeshSnapshot snapshot, long checkpoint) {
    }

    public Latest latestWithCheckpoint() {
        Properties props = bus.properties();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(MeshTopics.MAX_RECORD_BYTES));
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "4");
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            long begin = consumer.beginningOffsets(List.of(partition)).get(partition);
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            // One writer publishes generations in offset order, so the live config is the last record, or the last
            // delta on the checkpoint before it. It is looked for from the end, in windows that double (the last
            // offsets are usually it and its transaction's marker): a compacted topic may still hold hundreds of
            // multi-MB snapshots before it is cleaned, and reading them all cost seconds and tens of MB of a proxy's
            // heap at start. One that does not decode, or claims no generation, is skipped: a stray record must
            // not stop every validator restart and every new proxy.
            SnapshotDelta newest = null;
            long checkedFrom = end;
            for (long window = 2; checkedFrom > begin; window *= 2) {
                long from = Math.max(begin, end - window);
                List<Long> offsets = dataOffsets(consumer, partition, from, checkedFrom);
                for (int i = offsets.size() - 1; i >= 0; i--) {
                    ConsumerRecord<String, String> record = recordAt(consumer, partition, offsets.get(i),
                            Duration.ofSeconds(30));
                    MeshSnapshot snapshot = null;
                    BrokenChain broken = null;
                    try {
                        if (record != null && MeshTopics.isDelta(record.key(), record.headers(), record.value())) {
                            if (newest == null) {
                                newest = EventCodec.decode(record.value(), SnapshotDelta.class);
                            }
                        } else if (record != null) {
                            snapshot = EventCodec.decode(record.value(), MeshSnapshot.class);
                            if (snapshot.generation() <= 0) {
                                LOG.log(System.Logger.Level.WARNING, "skipping a record without a generation on {0} "
                                        + "at offset {1}", topic, offsets.get(i));
                                snapshot = null;
                            }
                        }
                    } catch (RuntimeException e) {
                        boolean delta = MeshTopics.isDelta(record.key(), record.headers(), record.value());
                        GenerationSummary claimed = newest != null || record.value() == null ? null
                                : GenerationSummary.ofRecord(record.headers(),
                                        record.value().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                        // The newest delta is the live generation; so is a newest checkpoint the validator wrote (its
                        // summary header reads and names the generation the value claims: a stray record's does
                        // not), say one from a newer validator. An older one found further back must not pass for it.
                        if (newest == null && (delta || claimed != null && claimed.generation() > 0)) {
                            broken = new BrokenChain("the newest " + (delta ? "delta" : "checkpoint") + " on " + topic
                                    + " (offset " + offsets.get(i) + ") cannot be read: " + e.getMessage(),
                                    claimed == null ? -1 : claimed.generation());
                        }
                        LOG.log(System.Logger.Level.WARNING, "skipping an unreadable record on {0} at offset {1}: "
                                + "{2}", topic, offsets.get(i), e.getMessage());
                    }
                    if (broken != null) {
                        throw broken;
                    }
                    if (snapshot != null) {
                        return on(snapshot, newest);
                    }
                }
                checkedFrom = from;
            }
            if (newest != null) {
                throw brokenChain(newest, "no whole snapshot is left on the topic");
            }
            return new Latest(MeshSnapshot.empty(), 0);
        }
    }

    /** {@code checkpoint} moved on by {@code delta}, the newest record after it (null: none). */
    private Latest on(MeshSnapshot checkpoint, SnapshotDelta delta) {
        if (delta == null || delta.generation() <= checkpoint.generation()) {
            return new Latest(checkpoint, checkpoint.generation());
        }
        return delta.applyTo(checkpoint).map(s -> new Latest(s, checkpoint.generation()))
                .orElseThrow(() -> brokenChain(delta, "the newest whole snapshot is generation "
                        + checkpoint.generation() + ", with " + checkpoint.resources().size() + " resources"));
    }

    /**
     * The live generation cannot be rebuilt (a stray record under a key outlived the real one in compaction):
     * an older generation must not pass for the live one (a validator would publish generation numbers again), so
     * callers fail and retry; the validator writes a checkpoint at least every {@code ConfigChain.MAX_DELTAS}
     * generations.
     */
    private BrokenChain brokenChain(SnapshotDelta delta, String why) {
        return new BrokenChain("the live generation " + delta.generation() + " on " + topic
                + " is a delta on generation " + delta.base() + ", which cannot be read: " + why, delta.generation());
    }

    /** The topic's live generation cannot be rebuilt from it. */
    public static final class BrokenChain extends IllegalStateException {
        private final long generation;

        BrokenChain(String message, long generation) {
            super(message);
            this.generation = generation;
        }

        /** The live generation the topic claims (-1: not known). */
        public long generation() {
            return generation;
        }
    }

    /** The offsets of the committed records with a value in [from, until), oldest first (values not kept). */
    private static List<Long> dataOffsets(KafkaConsumer<String, String> consumer, TopicPartition partition, long from,
                                          long until) {
        consumer.seek(partition, from);
        List<Long> offsets = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (consumer.position(partition) < until && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                if (record.offset() < until && record.value() != null) {
                    offsets.add(record.offset());
                }
            }
        }
        if (consumer.position(partition) < until) {
            // An incomplete window is no answer: older snapshots must not pass for the newest (callers retry).
            throw new org.apache.kafka.common.errors.TimeoutException("reading " + partition + " up to offset "
                    + until + " took over 30 s");
        }
        return offsets;
    }

    /**
     * The committed record at {@code offset} on an assigned partition; null when it is not there (compacted away,
     * an aborted transaction's, or below the log's start: retention took it). Throws Kafka's timeout when nothing
     * comes within {@code timeout}.
     */
    public static ConsumerRecord<String, String> recordAt(KafkaConsumer<String, String> consumer,
                                                          TopicPartition partition, long offset, Duration timeout) {
        // Below the log's start a consumer would jump to the end (or fail) and wait there. Asked within the
        // caller's timeout, which the whole call keeps: the client's default (60 s) held an API call that
        // promises 503 in 10 s.
        long deadline = System.nanoTime() + timeout.toNanos();
        if (offset < consumer.beginningOffsets(List.of(partition), timeout).get(partition)) {
            return null;
        }
        consumer.seek(partition, offset);
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                if (record.offset() == offset) {
                    return record;
                }
                if (record.offset() > offset) {
                    return null;
                }
            }
        }
        throw new org.apache.kafka.common.errors.TimeoutException("reading " + partition + " at offset " + offset
                + " took over " + timeout.toSeconds() + " s");
    }
}
