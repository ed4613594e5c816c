package io.kshift.config.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.event.GenerationSummary;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** History records that are not as the validator writes them never stop the channel. */
class HistoryRecordsTest {
    @Test
    void aSummaryHeaderWithoutAValueIsReadAsNone() {
        RecordHeaders headers = new RecordHeaders();
        headers.add(GenerationSummary.HEADER, null);
        assertThat(new SummaryDeserializer().deserialize("t", headers, "{}".getBytes(StandardCharsets.UTF_8)))
                .as("no NullPointerException: the value, as for a record without the header").isEqualTo("{}");
    }

    /** The index keeps what the topic keeps (30 days), and never more than its bound, whatever the change rate. */
    @Test
    void generationsPastTheTopicsRetentionOrTheBoundAreForgotten() {
        GenerationHistory history = new GenerationHistory();
        java.time.Instant now = java.time.Instant.parse("2026-12-07T12:00:00Z");
        history.clock = java.time.Clock.fixed(now, java.time.ZoneOffset.UTC);
        history.maxGenerations = 50;
        for (long g = 1; g <= 60; g++) {
            java.time.Instant made = g <= 5 ? now.minus(java.time.Duration.ofDays(31)) : now.minusSeconds(60 - g);
            var summary = new GenerationSummary(g, "c" + g, made, 1, java.util.List.of(), null);
            // A checkpoint every tenth generation (1, 11, 21, ...), deltas on it between.
            var record = new org.apache.kafka.clients.consumer.ConsumerRecord<>("kshift.config-history", 0, 100 + g,
                    g % 10 == 1 ? "snapshot" : io.kshift.model.event.MeshTopics.DELTA_KEY,
                    io.kshift.model.event.EventCodec.encode(summary));
            record.headers().add(GenerationSummary.HEADER, new byte[] {1});
            history.onSnapshot(record);
        }
        assertThat(history.list()).hasSize(50).first().satisfies(s -> assertThat(s.generation()).isEqualTo(60));
        assertThat(history.list()).last().satisfies(s -> assertThat(s.generation()).isEqualTo(11));
        assertThat(history.offsetOf(10)).isEmpty();
        assertThat(history.offsetOf(11)).hasValue(111L);
        history.maxGenerations = 45; // the oldest listed is now 16, a delta on 11: 11's offset stays, 15's not
        assertThat(history.list()).last().satisfies(s -> assertThat(s.generation()).isEqualTo(16));
        assertThat(history.offsetOf(11)).as("the checkpoint generation 16 is rebuilt on").hasValue(111L);
        assertThat(history.offsetOf(15)).isEmpty();
        history.maxGenerations = 50;
        history.clock = java.time.Clock.fixed(now.plus(java.time.Duration.ofDays(30)).minusSeconds(30),
                java.time.ZoneOffset.UTC);
        assertThat(history.list()).as("those made in the last 30 s before now: the rest are 30 days old")
                .hasSize(31);
    }
}
