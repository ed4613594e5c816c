package io.kshift.local;

import io.kshift.model.event.MeshTopics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** How big the live snapshot is: its JSON, and the config and history topics on the broker's disk. */
record SnapshotSize(long jsonBytes, long configLogBytes, long historyLogBytes) {

    static SnapshotSize read(FleetLayout layout) {
        Properties p = BusCredentials.tools(layout);
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(MeshTopics.MAX_RECORD_BYTES));
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        long json = -1;
        try (var consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(MeshTopics.CONFIG, 0);
            consumer.assign(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            consumer.seek(tp, Math.max(0, end - 3));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (consumer.position(tp) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.value() != null) {
                        json = r.serializedValueSize();
                    }
                }
            }
        }
        Properties a = BusCredentials.tools(layout);
        try (Admin admin = Admin.create(a)) {
            var brokers = admin.describeCluster().nodes().get().stream().map(n -> n.id()).toList();
            long config = 0;
            long history = 0;
            for (var dirs : admin.describeLogDirs(brokers).allDescriptions().get().values()) {
                for (var dir : dirs.values()) {
                    for (Map.Entry<TopicPartition, org.apache.kafka.clients.admin.ReplicaInfo> e
                            : dir.replicaInfos().entrySet()) {
                        if (e.getKey().topic().equals(MeshTopics.CONFIG)) {
                            config += e.getValue().size();
                        } else if (e.getKey().topic().equals(MeshTopics.CONFIG_HISTORY)) {
                            history += e.getValue().size();
                        }
                    }
                }
            }
            return new SnapshotSize(json, config, history);
        } catch (Exception e) {
            return new SnapshotSize(json, -1, -1);
        }
    }
}
