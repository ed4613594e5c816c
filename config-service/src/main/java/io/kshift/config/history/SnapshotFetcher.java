package io.kshift.config.history;

import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.MeshTopics;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import io.kshift.model.bus.BusConnection;
import io.smallrye.common.annotation.Identifier;
import jakarta.inject.Inject;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Reads one snapshot from {@code kshift.config-history} by offset: a short-lived consumer, no group. Blocking. */
@ApplicationScoped
public class SnapshotFetcher {
    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafka;
    @ConfigProperty(name = "kshift.topics.config-history", defaultValue = MeshTopics.CONFIG_HISTORY)
    String topic;

    public Optional<MeshSnapshot> at(long offset) {
        Properties p = BusConnection.of(kafka).properties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seek(partition, offset);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.offset() == offset) {
                        return Optional.of(EventCodec.decode(record.value(), MeshSnapshot.class));
                    }
                }
            }
            return Optional.empty();
        }
    }
}
