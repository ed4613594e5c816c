package io.kshift.config.history;

import io.kshift.model.event.GenerationSummary;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads a {@code kshift.config-history} record as its {@value GenerationSummary#HEADER} header when it has one (a
 * few hundred bytes) instead of its value (a delta, or a whole snapshot of MBs); as the value otherwise.
 */
public class SummaryDeserializer implements Deserializer<String> {
    @Override
    public String deserialize(String topic, byte[] data) {
        return data == null ? null : new String(data, StandardCharsets.UTF_8);
    }

    @Override
    public String deserialize(String topic, Headers headers, byte[] data) {
        Header summary = headers == null ? null : headers.lastHeader(GenerationSummary.HEADER);
        // A header without a value (not one the validator writes) is read as none: a throw here would stop the
        // channel at this record on every start.
        return summary != null && summary.value() != null ? new String(summary.value(), StandardCharsets.UTF_8)
                : deserialize(topic, data);
    }
}
