package io.kshift.telemetry.window;

import io.kshift.model.event.TelemetryReport;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * A report's time for windowing: its interval's end, as the proxy that sent it says, but never further ahead of
 * this service's clock than {@code kshift.telemetry.max-clock-ahead} (1 s, the windows' grace: a node further ahead would move stream time
 * past the others' windows before their reports are in). Kafka Streams keeps a partition's time at the highest it has
 * seen: one report from a node whose clock runs an hour ahead (or any record claiming a far future) moved it there,
 * and every later report for the services on that partition was dropped as late, for that hour, while the open
 * windows were published early and half full. Such a report counts now instead.
 */
final class ReportTime implements TimestampExtractor {
    private final LongSupplier clock;
    private final long maxAheadMillis;

    ReportTime(LongSupplier clock, java.time.Duration maxAhead) {
        this.clock = clock;
        this.maxAheadMillis = maxAhead.toMillis();
    }

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        if (!(record.value() instanceof TelemetryReport r) || r.intervalEnd() == null) {
            return partitionTime;
        }
        long now = clock.getAsLong();
        long end = r.intervalEnd().toEpochMilli();
        return end > now + maxAheadMillis ? now : end;
    }
}
