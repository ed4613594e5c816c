package io.kshift.validator.pipeline;

import io.kshift.model.bus.BusConnection;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The ids of the changes a change loop decided lately (the newest {@value #REMEMBERED}), so a change that reaches
 * the bus twice (an {@code Idempotency-Key} retry through another config-service) is decided once. A validator
 * that takes over starts from the verdicts on the results topic ({@link #fromResults}): every committed decision
 * wrote one, keyed by its change id, in the transaction that moved the change offset, so a duplicate that arrives
 * after a takeover is still skipped. Change-loop thread only.
 */
final class DecidedChanges {
    static final int REMEMBERED = 10_000;
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(DecidedChanges.class);

    /**
     * The ids of the newest {@value #REMEMBERED} committed verdicts on {@code resultsTopic}. Blocking. Read from the
     * end back, in windows that double, so that when the read is cut short (30 s: a takeover must not wait on it, and
     * verdicts with diffs can be megabytes) what is missing is the oldest ids, not the newest, which are the ones a
     * copy of a change that raced the takeover would match.
     */
    static DecidedChanges fromResults(BusConnection bus, String resultsTopic) {
        DecidedChanges decided = new DecidedChanges();
        Properties props = bus.properties();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(resultsTopic).stream()
                    .map(p -> new TopicPartition(resultsTopic, p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            // Per partition (the topic has one), newest window first; each window's ids in offset order.
            boolean cut = false;
            for (TopicPartition partition : partitions) {
                java.util.Deque<List<String>> windows = new java.util.ArrayDeque<>();
                int found = 0;
                long until = end.get(partition);
                // Each verdict is followed by its transaction's commit marker, which takes an offset too.
                for (long window = 256; !cut && until > begin.get(partition) && found < REMEMBERED; window *= 2) {
                    long from = Math.max(begin.get(partition), until - window);
                    List<String> keys = new java.util.ArrayList<>();
                    cut = !keys(consumer, partitions, partition, from, until, deadline, keys);
                    windows.addFirst(keys); // what a cut-short window read is kept too
                    found += keys.size();
                    until = from;
                }
                windows.forEach(keys -> keys.forEach(decided::add)); // oldest first: the map drops its eldest
            }
            if (cut) {
                LOG.warnf("read the newest %d verdicts of %s in 30 s; going on with those", decided.ids.size(),
                        resultsTopic);
            }
        }
        return decided;
    }

    /**
     * Adds to {@code keys} those of the committed records in [from, until) of one partition, in offset order; false
     * when the deadline cut the read short (what was read is in {@code keys}).
     */
    private static boolean keys(KafkaConsumer<String, byte[]> consumer, List<TopicPartition> all,
                                TopicPartition partition, long from, long until, long deadline, List<String> keys) {
        consumer.pause(all);
        consumer.resume(List.of(partition));
        consumer.seek(partition, from);
        while (consumer.position(partition) < until) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            for (var record : consumer.poll(Duration.ofMillis(200))) {
                if (record.offset() < until && record.key() != null) {
                    keys.add(record.key());
                }
            }
        }
        return true;
    }

    private final Map<String, Boolean> ids = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };

    boolean contains(String changeId) {
        return ids.containsKey(changeId);
    }

    /** Called once the decision's transaction committed: an aborted one is decided again. */
    void add(String changeId) {
        ids.put(changeId, Boolean.TRUE);
    }
}
