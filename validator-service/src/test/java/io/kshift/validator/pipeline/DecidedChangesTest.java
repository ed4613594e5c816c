package io.kshift.validator.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.bus.BusConnection;
import io.kshift.testkit.EmbeddedKafka;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** What a taking-over validator knows was decided: the newest verdicts' ids, read from the end back. */
class DecidedChangesTest {
    @Test
    void theNewestVerdictsAreKeptWhenThereAreMoreThanItRemembers() throws Exception {
        String topic = "decided-" + UUID.randomUUID();
        try (Admin admin = Admin.create(EmbeddedKafka.clientConfig())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        int n = DecidedChanges.REMEMBERED + 500;
        Properties p = new Properties();
        p.putAll(EmbeddedKafka.clientConfig());
        p.put("linger.ms", "5");
        try (var producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(topic, "c" + i, "{}"));
            }
            producer.flush();
        }
        DecidedChanges decided = DecidedChanges.fromResults(BusConnection.of(EmbeddedKafka.clientConfig()), topic);
        assertThat(decided.contains("c" + (n - 1))).as("the newest").isTrue();
        assertThat(decided.contains("c" + (n - DecidedChanges.REMEMBERED))).as("the oldest of those remembered").isTrue();
        assertThat(decided.contains("c0")).as("older than what is remembered").isFalse();
    }
}
