package io.kshift.local;

import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.event.TelemetryWindow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Closed windows as telemetry-service publishes them on {@code kshift.telemetry}: a committed-only reader of its own. */
public final class TelemetryWindows implements AutoCloseable {
    private final KafkaConsumer<String, String> consumer;

    private TelemetryWindows(FleetLayout layout, String from) {
        Properties p = BusCredentials.tools(layout);
        p.put("group.id", "kshift-tools-telemetry-reader-" + UUID.randomUUID());
        p.put("auto.offset.reset", from);
        p.put("isolation.level", "read_committed");
        consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
        consumer.subscribe(List.of(MeshTopics.TELEMETRY));
    }

    /** Every window still on the topic, then each new one. */
    public static TelemetryWindows fromStart(FleetLayout layout) {
        return new TelemetryWindows(layout, "earliest");
    }

    /** Windows published from now on (returns once the reader has its partitions). */
    public static TelemetryWindows fromNow(FleetLayout layout) {
        TelemetryWindows windows = new TelemetryWindows(layout, "latest");
        while (windows.consumer.assignment().isEmpty()) {
            windows.consumer.poll(Duration.ofMillis(100));
        }
        return windows;
    }

    /** The windows that arrive within {@code timeout}. */
    public List<TelemetryWindow> poll(Duration timeout) {
        List<TelemetryWindow> out = new ArrayList<>();
        for (ConsumerRecord<String, String> r : consumer.poll(timeout)) {
            out.add(EventCodec.decode(r.value(), TelemetryWindow.class));
        }
        return out;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
