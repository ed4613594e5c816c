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

    /** The ids of the newest {@value #REMEMBERED} committed verdicts on {@code resultsTopic}. Blocking. */
    static DecidedChanges fromResults(BusConnection bus, String resultsTopic) {
        DecidedChanges decided = new DecidedChanges();
        Properties props = bus.properties();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(resultsTopic).stream()
                    .map(p -> new TopicPartition(resultsTopic, p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            // Each verdict is followed by its transaction's commit marker, which takes an offset too.
            for (var partition : partitions) {
                consumer.seek(partition, Math.max(begin.get(partition), end.get(partition) - 2L * REMEMBERED));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    // Best effort: a takeover must not fail over it (a duplicate is rare, a validator down is not).
                    LOG.warnf("read %d recent verdicts of %s in 30 s; going on with those", decided.ids.size(),
                            resultsTopic);
                    break;
                }
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() != null) {
                        decided.add(record.key());
                    }
                }
            }
        }
        return decided;
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
