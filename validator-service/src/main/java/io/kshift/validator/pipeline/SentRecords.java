package io.kshift.validator.pipeline;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;

/**
 * The records one decision's transaction sends, each with what it is and its size as the bus counts it (give or take
 * the framing), so that a transaction that failed can say whether the bus refused one of them for its size. The
 * producer refuses a record over its request size at once, the broker one over the topic's limit on the send;
 * either way the transaction can only abort, and deciding the change again would fail again for ever.
 */
final class SentRecords {
    private record Sent(Future<?> future, long bytes) {
        boolean refusedForSize() {
            if (!future.isDone()) {
                return false;
            }
            try {
                future.get();
                return false;
            } catch (ExecutionException failed) {
                return failed.getCause() instanceof RecordTooLargeException;
            } catch (InterruptedException | CancellationException e) {
                return false;
            }
        }
    }

    private final KafkaProducer<String, byte[]> producer;
    private final Map<String, Sent> sent = new LinkedHashMap<>();

    SentRecords(KafkaProducer<String, byte[]> producer) {
        this.producer = producer;
    }

    /** Sends {@code record}, known as {@code what}. */
    void send(String what, ProducerRecord<String, byte[]> record) {
        sent.put(what, new Sent(producer.send(record), size(record)));
    }

    /** A record's value, key and headers in bytes. */
    static long size(ProducerRecord<String, byte[]> record) {
        long bytes = (record.value() == null ? 0 : record.value().length)
                + (record.key() == null ? 0 : record.key().length());
        for (var h : record.headers()) {
            bytes += h.key().length() + (h.value() == null ? 0 : h.value().length);
        }
        return bytes;
    }

    /**
     * Which record the bus refused for its size, and how big it was; null when none was. The producer fails the
     * records still unsent with the same exception, so the largest refused one is named.
     */
    String refusedForSize() {
        return sent.entrySet().stream().filter(e -> e.getValue().refusedForSize())
                .max(Comparator.comparingLong(e -> e.getValue().bytes()))
                .map(e -> "its " + e.getKey() + " (about " + e.getValue().bytes() + " bytes) is larger than the bus"
                        + " takes").orElse(null);
    }
}
