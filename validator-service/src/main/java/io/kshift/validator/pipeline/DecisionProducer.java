package io.kshift.validator.pipeline;

import io.kshift.model.event.MeshTopics;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The transactional producer a change loop writes its decisions with: the result, the snapshot on the config and
 * history topics and the consumed offset, in one transaction.
 */
final class DecisionProducer {
    /**
     * The producer's batch buffer size, and so the size of the buffers its pool keeps: one holds the largest
     * snapshot the validator accepts with room for its headers. A record bigger than the batch size gets a buffer of
     * its own, allocated and dropped per record: at 10,000 resources that was two 3.4 MB arrays per change (config
     * and history), each a G1 humongous allocation that could start a concurrent cycle (102 collections per 40
     * changes, 19 of them such starts; 4 collections with pooled buffers). A record that still does not fit (a
     * snapshot near the limit with a bulk change's summary header) gets its own buffer, as before. The cost is the
     * pool's buffers held for good: one per topic a transaction has written to, ~26 MB (~34 MB once the
     * dead-letter topic has had one).
     */
    static final int SNAPSHOT_BATCH_BYTES = MeshTopics.MAX_SNAPSHOT_BYTES + 512 * 1024;

    private DecisionProducer() {
    }

    /** {@code p}: a fresh copy of the bus connection's properties, completed here; {@code transactionalId}: whose. */
    static KafkaProducer<String, byte[]> create(Properties p, String transactionalId) {
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "30000");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(MeshTopics.MAX_RECORD_BYTES));
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        // Snapshots are JSON of many alike resources: lz4 makes them several times smaller on the bus and on disk
        // (history keeps every generation) for about a millisecond per MB each way.
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(SNAPSHOT_BATCH_BYTES));
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(8L * SNAPSHOT_BATCH_BYTES));
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }
}
