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
}
