package io.kshift.config.bus;

import io.kshift.model.bus.BusConnection;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * How far a channel that reads its topic from the start must read before this instance's view of it is whole: each
 * partition's last committed record when the instance started. Until then a restarted config-service knows only
 * some of the fleet ({@code waitFor=synced} could be answered from none of it) or some of the verdicts (an older
 * change's id answers 404). The channel reports every record it takes, readable or not; readiness waits for all.
 */
public final class ReadThrough {
    private final Map<Integer, Long> read = new ConcurrentHashMap<>();
    /** Partition → offset of its last committed record at start (partitions without one are absent); null: not known yet. */
    private volatile Map<Integer, Long> target;

    /** Called by the channel for each record it took. */
    public void read(int partition, long offset) {
        read.merge(partition, offset, Math::max);
    }

    public boolean targetKnown() {
        return target != null;
    }

    public boolean done() {
        Map<Integer, Long> t = target;
        return t != null && t.entrySet().stream().allMatch(e -> read.getOrDefault(e.getKey(), -1L) >= e.getValue());
    }

    /** Finds the target on {@code topic}. Blocking; throws while Kafka cannot answer (the caller retries). */
    void findTarget(BusConnection bus, String topic) {
        target = lastRecords(bus, topic);
    }

    /**
     * The offset of each partition's last committed record. Not simply the end offset less one: a transaction's
     * commit marker takes an offset no consumer ever sees, and an aborted transaction's records are skipped. So the
     * tail is read back in windows that double until a record shows up (the last two offsets are usually a verdict
     * and its marker), as {@code SnapshotLoader} finds the live config.
     */
    static Map<Integer, Long> lastRecords(BusConnection bus, String topic) {
        Properties props = bus.properties();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "64");
        Map<Integer, Long> last = new HashMap<>();
        try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            for (TopicPartition partition : partitions) {
                consumer.pause(partitions);
                consumer.resume(List.of(partition));
                long found = -1;
                long until = end.get(partition);
                for (long window = 2; found < 0 && until > begin.get(partition); window *= 2) {
                    long from = Math.max(begin.get(partition), end.get(partition) - window);
                    found = lastIn(consumer, partition, from, until);
                    until = from;
                }
                if (found >= 0) {
                    last.put(partition.partition(), found);
                }
            }
        }
        return last;
    }

    private static long lastIn(KafkaConsumer<byte[], byte[]> consumer, TopicPartition partition, long from, long until) {
        consumer.seek(partition, from);
        long found = -1;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (consumer.position(partition) < until) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("reading " + partition + " up to offset " + until + " took over 30 s");
            }
            for (var record : consumer.poll(Duration.ofMillis(200))) {
                if (record.offset() < until) {
                    found = Math.max(found, record.offset());
                }
            }
        }
        return found;
    }
}
