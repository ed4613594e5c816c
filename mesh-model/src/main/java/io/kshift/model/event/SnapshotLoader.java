package io.kshift.model.event;

import java.time.Duration;
import java.util.List;
import java.util.Map;
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
    private final String bootstrapServers;
    private final String topic;

    public SnapshotLoader(String bootstrapServers, String topic) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
    }

    public MeshSnapshot latest() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(MeshTopics.MAX_RECORD_BYTES));
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            Map<TopicPartition, Long> end = consumer.endOffsets(List.of(partition));
            MeshSnapshot latest = MeshSnapshot.empty();
            while (consumer.position(partition) < end.get(partition)) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.value() == null) {
                        continue;
                    }
                    MeshSnapshot snapshot = EventCodec.decode(record.value(), MeshSnapshot.class);
                    if (snapshot.generation() > latest.generation()) {
                        latest = snapshot;
                    }
                }
            }
            return latest;
        }
    }
}
