package io.kshift.model.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.kshift.model.codec.Codecs;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Events travel as JSON strings so any Kafka client ({@code kcat}, the console consumer) can read them. */
public final class EventCodec {
    private EventCodec() {
    }

    public static String encode(Object event) {
        try {
            return Codecs.json().writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static <T> T decode(String json, Class<T> type) {
        try {
            return Codecs.json().readValue(json, type);
        } catch (IOException e) {
            throw new UncheckedIOException("not a " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }
}
