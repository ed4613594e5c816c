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

    /**
     * The event in {@code json}; refused when it does not parse as {@code type} or lacks a required field. The text
     * {@code null} is refused too: Jackson reads it as no object at all, and a reader that took that for a record
     * would pass over a stray record where it must stop (a broken delta chain read as no delta).
     */
    public static <T> T decode(String json, Class<T> type) {
        T event;
        try {
            event = Codecs.json().readValue(json, type);
        } catch (IOException e) {
            throw new UncheckedIOException("not a " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
        if (event == null) {
            throw new IllegalArgumentException("not a " + type.getSimpleName() + ": the record is JSON null");
        }
        if (event instanceof CompleteEvent complete && !complete.missingFields().isEmpty()) {
            throw new IllegalArgumentException("not a " + type.getSimpleName() + ": missing "
                    + String.join(", ", complete.missingFields()));
        }
        return event;
    }
}
