package io.kshift.local;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.GenerationSummary;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.event.ProxyStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the change, result, config and status topics while the benchmark changes config (the read-only tools user,
 * read-committed, from their ends) and notes each record's producer timestamp — every process of the local fleet
 * shares one clock — and when it became readable here; {@link ChangeHops} turns that into where a change's time
 * went. Its cost is the benchmark's: it fetches every change and config record (hundreds of KB to MBs per batch)
 * at the benchmark's CPU priority, which on the local fleet is above the control plane's. A reader that cannot
 * start or fails says so in place of the figures; the benchmark goes on.
 */
final class ChangeTimeline implements AutoCloseable {
    private static final JsonFactory JSON = new JsonFactory();

    private final Map<String, ChangeHops.Seen> changes = new ConcurrentHashMap<>();
    private final Map<String, ChangeHops.Seen> results = new ConcurrentHashMap<>();
    private final Map<String, ChangeHops.Config> configs = new ConcurrentHashMap<>();
    /** Per node, its reports in order: generation, producer timestamp, when this reader read it. */
    private final Map<String, List<long[]>> reports = new ConcurrentHashMap<>();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile String failure;

    ChangeTimeline(FleetLayout layout) {
        KafkaConsumer<byte[], byte[]> c = null;
        try {
            Properties p = BusCredentials.tools(layout);
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(MeshTopics.MAX_RECORD_BYTES));
            c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(MeshTopics.CHANGES, MeshTopics.CHANGE_RESULTS, MeshTopics.CONFIG,
                    MeshTopics.PROXY_STATUS)) {
                c.partitionsFor(topic).forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            }
            c.assign(partitions);
            c.seekToEnd(partitions);
            partitions.forEach(c::position); // from now, not from whenever the first poll runs
        } catch (RuntimeException e) {
            failure = "the timeline's reader could not start: " + e;
            if (c != null) {
                c.close(Duration.ofSeconds(2));
            }
            c = null;
        }
        consumer = c;
        thread = new Thread(this::read, "change-timeline");
        thread.setDaemon(true);
        if (consumer != null) {
            thread.start();
        }
    }

    private void read() {
        try {
            while (running) {
                var records = consumer.poll(Duration.ofMillis(200));
                long now = System.currentTimeMillis();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    note(r, now);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            failure = "the timeline's reader failed: " + e;
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void note(ConsumerRecord<byte[], byte[]> r, long now) {
        if (r.value() == null) {
            return;
        }
        try {
            ChangeHops.Seen seen = new ChangeHops.Seen(r.timestamp(), now);
            switch (r.topic()) {
                case MeshTopics.CHANGES -> {
                    String id = changeId(r.value());
                    if (id != null) {
                        changes.putIfAbsent(id, seen);
                    }
                }
                case MeshTopics.CHANGE_RESULTS -> results.putIfAbsent(new String(r.key(), StandardCharsets.UTF_8),
                        seen);
                case MeshTopics.CONFIG -> {
                    // Keyed by the change that made it: a change that made no generation has no config record.
                    GenerationSummary summary = GenerationSummary.ofRecord(r.headers(), r.value());
                    if (summary != null && summary.changeId() != null) {
                        configs.putIfAbsent(summary.changeId(),
                                new ChangeHops.Config(summary.generation(), r.timestamp(), now));
                    }
                }
                default -> {
                    ProxyStatus s = EventCodec.decode(new String(r.value(), StandardCharsets.UTF_8),
                            ProxyStatus.class);
                    reports.computeIfAbsent(s.nodeId(), n -> Collections.synchronizedList(new ArrayList<>()))
                            .add(new long[] {s.generation(), r.timestamp(), now});
                }
            }
        } catch (RuntimeException e) {
            // A record this reader cannot use leaves a gap in the figures, which describe() reports as such.
        }
    }

    /** The change's id, read without decoding its resources (a bulk change is hundreds of KB). */
    static String changeId(byte[] json) {
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("changeId")) {
                    return p.getValueAsString();
                }
                p.skipChildren();
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Where the time of {@code measured} went ({@link ChangeHops#describe}), waiting up to a second for the last
     * change's records; what is missing is said.
     */
    String describe(List<ChangeHops.Measured> measured) {
        if (measured.isEmpty()) {
            return "(no accepted change with every proxy synced to read)";
        }
        List<long[]> splits = ChangeHops.of(measured, bus());
        long deadline = System.nanoTime() + 1_000_000_000L;
        while (failure == null && splits.size() < measured.size() && System.nanoTime() < deadline) {
            Fleet.sleep(50);
            splits = ChangeHops.of(measured, bus());
        }
        if (splits.isEmpty()) {
            return failure != null ? "(" + failure + ")" : "(not all of its records were read off the bus)";
        }
        return ChangeHops.describe(splits, measured.size());
    }

    private ChangeHops.Bus bus() {
        Map<String, List<long[]>> byNode = new TreeMap<>();
        reports.forEach((node, list) -> {
            synchronized (list) {
                byNode.put(node, List.copyOf(list));
            }
        });
        return new ChangeHops.Bus(changes, results, configs, byNode);
    }

    @Override
    public void close() {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
