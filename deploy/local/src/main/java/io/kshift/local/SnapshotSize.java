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

/**
 * How big the live config is on the bus: the live snapshot's JSON (rebuilt from the config topic's checkpoint and
 * delta, as a reader does, and encoded as a checkpoint would be), the newest record on the config topic (a delta on
 * the last checkpoint, or a checkpoint), and the config and history topics on the broker's disk.
 */
record SnapshotSize(long jsonBytes, long newestConfigRecordBytes, String newestConfigKey, long configLogBytes,
                    long historyLogBytes) {

    static SnapshotSize read(FleetLayout layout) {
        ConsumerRecord<byte[], byte[]> live = newest(layout, MeshTopics.CONFIG);
        long json = liveSnapshotBytes(layout);
        long newest = live == null ? -1 : live.serializedValueSize();
        String key = live == null || live.key() == null ? "none"
                : new String(live.key(), java.nio.charset.StandardCharsets.UTF_8);
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
            return new SnapshotSize(json, newest, key, config, history);
        } catch (Exception e) {
            return new SnapshotSize(json, newest, key, -1, -1);
        }
    }

    private static long liveSnapshotBytes(FleetLayout layout) {
        try {
            Map<String, Object> client = new java.util.HashMap<>();
            BusCredentials.tools(layout).forEach((k, v) -> client.put(String.valueOf(k), v));
            var snapshot = new io.kshift.model.event.SnapshotLoader(io.kshift.model.bus.BusConnection.of(client),
                    MeshTopics.CONFIG).latest();
            return io.kshift.model.event.EventCodec.encode(snapshot).getBytes(java.nio.charset.StandardCharsets.UTF_8)
                    .length;
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** The newest committed record with a value on {@code topic} (null: none within 10 s). */
    private static ConsumerRecord<byte[], byte[]> newest(FleetLayout layout, String topic) {
        Properties p = BusCredentials.tools(layout);
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(MeshTopics.MAX_RECORD_BYTES));
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        ConsumerRecord<byte[], byte[]> newest = null;
        try (var consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            consumer.seek(tp, Math.max(0, end - 3));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (consumer.position(tp) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.value() != null) {
                        newest = r;
                    }
                }
            }
        }
        return newest;
    }
}
