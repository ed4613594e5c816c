package io.kshift.telemetry.window;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kshift.model.event.EventCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/** JSON serdes: events with the shared {@link EventCodec}; the window aggregate (state only) with a plain mapper. */
final class JsonSerde {
    private static final ObjectMapper STATE = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private JsonSerde() {
    }

    static <T> Serde<T> event(Class<T> type) {
        Serializer<T> ser = (topic, value) -> value == null ? null
                : EventCodec.encode(value).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Deserializer<T> de = (topic, bytes) -> bytes == null ? null
                : EventCodec.decode(new String(bytes, java.nio.charset.StandardCharsets.UTF_8), type);
        return Serdes.serdeFrom(ser, de);
    }

    static Serde<WindowAggregate> aggregate() {
        Serializer<WindowAggregate> ser = (topic, value) -> {
            try {
                return value == null ? null : STATE.writeValueAsBytes(value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        Deserializer<WindowAggregate> de = (topic, bytes) -> {
            try {
                return bytes == null ? null : STATE.readValue(bytes, WindowAggregate.class);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        return Serdes.serdeFrom(ser, de);
    }
}
