package io.kshift.telemetry.window;

import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.event.TelemetryReport;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.streams.state.WindowStore;

/**
 * {@code kshift.telemetry.raw} → {@code kshift.telemetry}: every node's reports for a service (key
 * {@code namespace/service}), on the reports' own time (their interval end), summed into tumbling windows of 10 s
 * and 1 min ({@link WindowAggregate}, state in the window stores {@code telemetry-10s} and {@code telemetry-1m}),
 * and each window published once, when it closes ({@code grace} after its end). Kafka Streams does the windowing,
 * the state and the scaling by partitions; exactly-once processing (set in application.properties) makes a
 * restarted or replaced instance resume without counting a report twice.
 */
@ApplicationScoped
public class TelemetryTopology {
    /** Window name → size. */
    public static final Map<String, Duration> WINDOWS = windows();
    static final Duration GRACE = Duration.ofSeconds(1);

    private static Map<String, Duration> windows() {
        Map<String, Duration> w = new LinkedHashMap<>();
        w.put("10s", Duration.ofSeconds(10));
        w.put("1m", Duration.ofMinutes(1));
        return w;
    }

    /** How far ahead of this service's clock a report's time may be; a later one counts now ({@link ReportTime}). */
    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "kshift.telemetry.max-clock-ahead", defaultValue = "1s")
    java.time.Duration maxClockAhead;

    public static String store(String window) {
        return "telemetry-" + window;
    }

    @Produces
    public Topology topology() {
        StreamsBuilder builder = new StreamsBuilder();
        var reports = JsonSerde.event(TelemetryReport.class);
        TimestampExtractor reportTime = new ReportTime(System::currentTimeMillis, maxClockAhead,
                WINDOWS.values().stream().min(Duration::compareTo).orElseThrow(), GRACE);
        KGroupedStream<String, TelemetryReport> byService = builder
                .stream(MeshTopics.TELEMETRY_RAW, Consumed.with(Serdes.String(), reports).withTimestampExtractor(reportTime))
                .filter((key, report) -> report != null)
                .groupByKey(Grouped.with(Serdes.String(), reports));
        WINDOWS.forEach((name, size) -> byService
                .windowedBy(TimeWindows.ofSizeAndGrace(size, GRACE))
                .aggregate(WindowAggregate::new, (key, report, aggregate) -> aggregate.add(report),
                        Materialized.<String, WindowAggregate, WindowStore<Bytes, byte[]>>as(store(name))
                                .withKeySerde(Serdes.String()).withValueSerde(JsonSerde.aggregate())
                                .withRetention(size.multipliedBy(360)))
                .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
                .toStream()
                .filter((window, aggregate) -> !aggregate.versions.isEmpty())
                .map((window, aggregate) -> KeyValue.pair(window.key(), EventCodec.encode(aggregate.toWindow(name,
                        window.window().startTime(), window.window().endTime(), true))))
                .to(MeshTopics.TELEMETRY, Produced.with(Serdes.String(), Serdes.String())));
        return builder.build();
    }
}
