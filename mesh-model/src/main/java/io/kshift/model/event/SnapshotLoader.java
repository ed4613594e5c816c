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
 * Reads the newest committed snapshot from the compacted config topic, to its end as it stands now: Kafka is the
 * only memory, so the validator runs this whenever it (re)gains the change partition, and a proxy node to learn
 * which generation it must run before it is ready.
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
            // One writer publishes generations in offset order, so the newest snapshot is the last record. It is
            // looked for from the end, in windows that double (the last offsets are usually it and its
            // transaction's marker): a compacted topic may still hold hundreds of multi-MB snapshots before it is
            // cleaned, and reading them all cost seconds and tens of MB of a proxy's heap at start. One that does
            // not decode, or claims no generation, is skipped: a stray record must not stop every validator
            // restart and every new proxy.
            long checkedFrom = end;
            for (long window = 2; checkedFrom > begin; window *= 2) {
                long from = Math.max(begin, end - window);
                List<Long> offsets = dataOffsets(consumer, partition, from, checkedFrom);
                for (int i = offsets.size() - 1; i >= 0; i--) {
                    String value = read(consumer, partition, offsets.get(i));
                    try {
                        MeshSnapshot snapshot = value == null ? null : EventCodec.decode(value, MeshSnapshot.class);
                        if (snapshot != null && snapshot.generation() > 0) {
                            return snapshot;
                        }
                        LOG.log(System.Logger.Level.WARNING, "skipping a record without a generation on {0} at "
                                + "offset {1}", topic, offsets.get(i));
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "skipping an unreadable snapshot on {0} at offset {1}: "
                                + "{2}", topic, offsets.get(i), e.getMessage());
                    }
                }
                checkedFrom = from;
            }
            return MeshSnapshot.empty();
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

    private static String read(KafkaConsumer<String, String> consumer, TopicPartition partition, long offset) {
        consumer.seek(partition, offset);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                if (record.offset() == offset) {
                    return record.value();
                }
                if (record.offset() > offset) {
                    return null; // compacted away meanwhile
                }
            }
        }
        throw new org.apache.kafka.common.errors.TimeoutException("reading " + partition + " at offset " + offset
                + " took over 30 s");
    }
}
