package io.kshift.testkit;

import static org.awaitility.Awaitility.await;

import io.kshift.model.event.MeshTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Tests' hands on the real test broker: send a record, read a topic from the start until something shows up. */
public final class Bus {
    private Bus() {
    }

    public static void send(String topic, String key, String value) {
        send(topic, key, value, Map.of());
    }

    /** Sends one record with headers; records up to the largest any kshift topic takes are allowed. */
    public static void send(String topic, String key, String value, Map<String, String> headers) {
        try (var producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers",
                EmbeddedKafka.bootstrapServers(), "max.request.size", MeshTopics.MAX_RECORD_BYTES + 4096,
                "compression.type", "lz4"), new StringSerializer(), new StringSerializer())) {
            ProducerRecord<String, String> record = new ProducerRecord<>(topic, key, value);
            headers.forEach((k, v) -> record.headers().add(k, v.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            producer.send(record).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot send to " + topic, e.getCause());
        }
    }

    /** Committed records of {@code topic} from the beginning, read until {@code done} holds for what was read. */
    public static List<ConsumerRecord<String, String>> readUntil(String topic,
                                                                 Predicate<List<ConsumerRecord<String, String>>> done) {
        Properties p = new Properties();
        p.putAll(EmbeddedKafka.clientConfig());
        p.put("group.id", "test-" + UUID.randomUUID());
        p.put("auto.offset.reset", "earliest");
        p.put("isolation.level", "read_committed");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return done.test(records);
            });
        }
        return records;
    }

    /**
     * A consumer of {@code topic} that sees only what is written from now on (its partitions assigned before it
     * returns): for tests that assert what a call sent to the bus, or that it sent nothing before a later record.
     */
    public static KafkaConsumer<String, String> tail(String topic) {
        Properties p = new Properties();
        p.putAll(EmbeddedKafka.clientConfig());
        p.put("group.id", "test-tail-" + UUID.randomUUID());
        p.put("auto.offset.reset", "latest");
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                new StringDeserializer());
        consumer.subscribe(List.of(topic));
        await().until(() -> {
            consumer.poll(Duration.ofMillis(100));
            return !consumer.assignment().isEmpty();
        });
        // "latest" is looked up lazily: pin it now, or a record written before the lookup would be skipped.
        consumer.assignment().forEach(consumer::position);
        return consumer;
    }
}
