package io.kshift.registry.bus;

import io.kshift.model.event.ChangeRequested;
import io.kshift.model.event.ChangeResult;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.ConfigFold;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.MeshTopics;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * The adapter's view of the bus, with no state of its own (DESIGN.md decision 1): the live config comes from
 * {@code kshift.config} (read from the start, so the adapter knows what it registered before a restart) and the
 * validator's verdicts from {@code kshift.change-results}; changes go to {@code kshift.changes} like any operator's.
 */
public final class MeshBus implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(MeshBus.class);
    private final KafkaProducer<String, String> producer;
    private final KafkaConsumer<String, String> consumer;
    private final Thread reader;
    private volatile boolean caughtUp;
    private volatile boolean closed;

    /** What the bus tells the adapter, on the bus's reader thread. */
    public interface Listener {
        void snapshot(MeshSnapshot snapshot);

        void result(ChangeResult result);

        /** The live config has been read up to where it stood when the adapter started. */
        void caughtUp();
    }

    public MeshBus(String bootstrapServers, Listener listener) {
        this(io.kshift.model.bus.BusConnection.plain(bootstrapServers), listener);
    }

    public MeshBus(io.kshift.model.bus.BusConnection bus, Listener listener) {
        Properties p = bus.properties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(MeshTopics.MAX_RECORD_BYTES));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "10000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
        producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        Properties c = bus.properties();
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(MeshTopics.MAX_RECORD_BYTES));
        consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());
        reader = new Thread(() -> read(listener), "registry-bus");
        reader.setDaemon(true);
        reader.start();
    }

    /** Whether the live config has been read up to where it stood at start (before that, nothing is published). */
    public boolean caughtUp() {
        return caughtUp;
    }

    /** Sends a change and returns once Kafka has it. */
    public void publish(ChangeRequested change) throws InterruptedException {
        try {
            producer.send(new ProducerRecord<>(MeshTopics.CHANGES, MeshTopics.MESH_KEY, EventCodec.encode(change)))
                    .get(15, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka did not take change " + change.changeId() + ": " + e, e);
        }
    }

    private void read(Listener listener) {
        TopicPartition config = new TopicPartition(MeshTopics.CONFIG, 0);
        TopicPartition results = new TopicPartition(MeshTopics.CHANGE_RESULTS, 0);
        while (!closed) {
            try {
                consumer.assign(List.of(config, results));
                consumer.seekToBeginning(List.of(config));
                consumer.seekToEnd(List.of(results));
                long configEnd = consumer.endOffsets(List.of(config)).get(config);
                ConfigFold fold = new ConfigFold();
                while (!closed) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                        deliver(listener, fold, r);
                    }
                    if (!caughtUp && consumer.position(config) >= configEnd) {
                        caughtUp = true;
                        listener.caughtUp();
                    }
                }
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                LOG.warnf("reading the bus failed (%s); retrying", e.toString());
                sleep();
            }
        }
    }

    /**
     * Hands one record to the listener: a result as it is, a config record as the live snapshot it makes (a
     * checkpoint, or a delta on it; older ones make none). A record that is not one of those (anyone with access to
     * the topic can write one) is skipped with a warning: failing on it would re-read it after every retry, for good.
     */
    private static void deliver(Listener listener, ConfigFold fold, ConsumerRecord<String, String> r) {
        if (r.value() == null) {
            return;
        }
        Optional<MeshSnapshot> snapshot = Optional.empty();
        ChangeResult result = null;
        try {
            if (r.topic().equals(MeshTopics.CONFIG)) {
                snapshot = fold.accept(r.key(), r.value());
            } else {
                result = EventCodec.decode(r.value(), ChangeResult.class);
            }
        } catch (RuntimeException e) {
            LOG.warnf("skipping an unreadable record on %s at offset %d: %s", r.topic(), r.offset(),
                    e.getMessage());
            return;
        }
        snapshot.ifPresent(listener::snapshot);
        if (result != null) {
            listener.result(result);
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        try {
            reader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close(Duration.ofSeconds(2));
        producer.close(Duration.ofSeconds(2));
    }

}
