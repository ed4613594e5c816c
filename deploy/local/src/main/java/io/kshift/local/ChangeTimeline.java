package io.kshift.local;

import io.kshift.model.event.EventCodec;
import io.kshift.model.event.GenerationSummary;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.event.ProxyStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Where a change's time goes, read off the bus while the benchmark changes config: a read-committed reader of the
 * change, result, config and status topics notes each record's timestamp (set by its producer: every process of the
 * local fleet shares one clock) and when it became readable. Per change: config-service (POST until the change is
 * on the bus), the validator (until its verdict is sent), the commit (until the new generation is readable by a
 * read-committed reader such as a proxy), the proxies (until the last one has reported it) and the answer (until
 * the POST returns). The reader runs at the benchmark's own CPU priority, which is higher than the control plane's
 * on the local fleet, so "readable" is when a proxy could first have read it.
 */
final class ChangeTimeline implements AutoCloseable {
    /** One change as the benchmark made it: its id and generation from the answer, wall-clock ms around the POST. */
    record Measured(String changeId, long generation, long postedAt, long answeredAt) {
    }

    /** A record's producer timestamp and when the reader first could read it (wall-clock ms). */
    record Seen(long sentAt, long readAt) {
    }

    static final List<String> HOPS = List.of("config-service", "validator", "commit", "proxies", "answer");

    private final Map<String, Seen> changes = new ConcurrentHashMap<>();
    private final Map<String, Seen> results = new ConcurrentHashMap<>();
    private final Map<Long, Seen> configs = new ConcurrentHashMap<>();
    /** Per node, its reports in order: generation and producer timestamp. */
    private final Map<String, List<long[]>> reports = new ConcurrentHashMap<>();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;

    ChangeTimeline(FleetLayout layout) {
        Properties p = BusCredentials.tools(layout);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(MeshTopics.MAX_RECORD_BYTES));
        consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(MeshTopics.CHANGES, MeshTopics.CHANGE_RESULTS, MeshTopics.CONFIG,
                MeshTopics.PROXY_STATUS)) {
            consumer.partitionsFor(topic).forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // from here on, not from whenever the first poll runs
        thread = new Thread(this::read, "change-timeline");
        thread.setDaemon(true);
        thread.start();
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
        } catch (org.apache.kafka.common.errors.WakeupException e) {
            // closing
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void note(ConsumerRecord<byte[], byte[]> r, long now) {
        if (r.value() == null) {
            return;
        }
        try {
            Seen seen = new Seen(r.timestamp(), now);
            switch (r.topic()) {
                case MeshTopics.CHANGES -> {
                    String id = changeId(r.value());
                    if (id != null) {
                        changes.putIfAbsent(id, seen);
                    }
                }
                case MeshTopics.CHANGE_RESULTS -> results.putIfAbsent(
                        new String(r.key(), StandardCharsets.UTF_8), seen);
                case MeshTopics.CONFIG -> {
                    GenerationSummary summary = GenerationSummary.ofRecord(r.headers(), r.value());
                    if (summary != null) {
                        configs.putIfAbsent(summary.generation(), seen);
                    }
                }
                default -> {
                    ProxyStatus s = EventCodec.decode(new String(r.value(), StandardCharsets.UTF_8),
                            ProxyStatus.class);
                    reports.computeIfAbsent(s.nodeId(), n -> java.util.Collections.synchronizedList(new ArrayList<>()))
                            .add(new long[] {s.generation(), r.timestamp()});
                }
            }
        } catch (RuntimeException e) {
            // Not ours to judge here: a record this reader cannot use leaves a gap in the figures.
        }
    }

    /** The change's id, read without decoding its resources (a bulk change is hundreds of KB). */
    static String changeId(byte[] json) {
        try (com.fasterxml.jackson.core.JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("changeId")) {
                    return p.getValueAsString();
                }
                p.skipChildren();
            }
            return null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private static final com.fasterxml.jackson.core.JsonFactory JSON = new com.fasterxml.jackson.core.JsonFactory();

    /** Per hop, the milliseconds each change spent in it; a change whose records were not all seen is left out. */
    Map<String, List<Long>> hops(List<Measured> measured) {
        Map<String, List<long[]>> byNode = new TreeMap<>();
        reports.forEach((node, list) -> {
            synchronized (list) {
                byNode.put(node, List.copyOf(list));
            }
        });
        return hops(measured, changes, results, configs, byNode);
    }

    /**
     * {@code " [config-service 12, validator 30, ...]"} for one change, {@code " config-service 12 / 40, ..."} (p50 /
     * max) for several; waits up to a second for the records of the last change to be read.
     */
    String describe(List<Measured> measured) {
        Map<String, List<Long>> hops = hops(measured);
        long deadline = System.nanoTime() + 1_000_000_000L;
        while (hops.get(HOPS.get(0)).size() < measured.size() && System.nanoTime() < deadline) {
            Fleet.sleep(50);
            hops = hops(measured);
        }
        int complete = hops.get(HOPS.get(0)).size();
        if (complete == 0) {
            return " (not all of its records were read off the bus)";
        }
        List<String> parts = new ArrayList<>();
        hops.forEach((hop, millis) -> {
            List<Long> sorted = millis.stream().sorted().toList();
            parts.add(measured.size() == 1 ? hop + " " + sorted.get(0)
                    : hop + " " + Probe.at(sorted, 0.5) + " / " + sorted.get(sorted.size() - 1));
        });
        return measured.size() == 1 ? "  [" + String.join(", ", parts) + " ms]"
                : " " + String.join(", ", parts) + (complete < measured.size()
                        ? " (" + complete + " of " + measured.size() + " changes read whole)" : "");
    }

    /** Pure: the hops of each change from what was seen on the bus (see the class comment). */
    static Map<String, List<Long>> hops(List<Measured> measured, Map<String, Seen> changes, Map<String, Seen> results,
                                        Map<Long, Seen> configs, Map<String, List<long[]>> reports) {
        Map<String, List<Long>> out = new LinkedHashMap<>();
        HOPS.forEach(h -> out.put(h, new ArrayList<>()));
        for (Measured m : measured) {
            Seen change = changes.get(m.changeId());
            Seen result = results.get(m.changeId());
            Seen config = configs.get(m.generation());
            Long reported = lastFirstReport(reports, m.generation(), m.postedAt());
            if (change == null || result == null || config == null || reported == null) {
                continue;
            }
            out.get("config-service").add(change.sentAt() - m.postedAt());
            out.get("validator").add(result.sentAt() - change.sentAt());
            out.get("commit").add(config.readAt() - result.sentAt());
            out.get("proxies").add(reported - config.readAt());
            out.get("answer").add(m.answeredAt() - reported);
        }
        return out;
    }

    /** When the slowest node first reported {@code generation} or later after {@code since}; null: one never did. */
    private static Long lastFirstReport(Map<String, List<long[]>> reports, long generation, long since) {
        long last = Long.MIN_VALUE;
        for (List<long[]> node : reports.values()) {
            Long first = null;
            for (long[] report : node) {
                if (report[0] >= generation && report[1] >= since) {
                    first = report[1];
                    break;
                }
            }
            if (first == null) {
                return null;
            }
            last = Math.max(last, first);
        }
        return reports.isEmpty() ? null : last;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
