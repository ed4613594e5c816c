package io.kshift.validator.pipeline;

import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshSnapshot;
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
 * Reads the newest committed snapshot from the compacted config topic: Kafka is the validator's only memory, so
 * this runs at start and whenever it (re)gains the change partition.
 */
final class SnapshotLoader {
    private final String bootstrapServers;
    private final String topic;

    SnapshotLoader(String bootstrapServers, String topic) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
    }

    MeshSnapshot latest() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
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
