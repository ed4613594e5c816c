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
 *
 * <p>Nor further behind the partition's time than its window allows: a report whose (smallest) window has closed,
 * because its node's clock runs behind or the report waited in a producer's retries, was dropped by Kafka Streams
 * and its connections and requests were never counted anywhere. Such a report counts in the window open at the
 * partition's time instead, a little late rather than lost, and is counted in {@link #late()}.
 */
final class ReportTime implements TimestampExtractor {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ReportTime.class);
    private final LongSupplier clock;
    private final long maxAheadMillis;
    private final long windowMillis;
    private final long graceMillis;
    private final java.util.concurrent.atomic.LongAdder late = new java.util.concurrent.atomic.LongAdder();
    private volatile long lastLateLog;

    /** {@code window}: the smallest window's size; {@code grace}: how long after its end a window takes reports. */
    ReportTime(LongSupplier clock, java.time.Duration maxAhead, java.time.Duration window,
               java.time.Duration grace) {
        this.clock = clock;
        this.maxAheadMillis = maxAhead.toMillis();
        this.windowMillis = window.toMillis();
        this.graceMillis = grace.toMillis();
    }

    /** Reports that came after their window closed and were counted in a later one, since start. */
    long late() {
        return late.sum();
    }

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        if (!(record.value() instanceof TelemetryReport r) || r.intervalEnd() == null) {
            return partitionTime;
        }
        long now = clock.getAsLong();
        long written = r.intervalEnd().toEpochMilli();
        // Clamped first, then judged late: "now" may itself be in a closed window (the partition's time ahead of this
        // clock, or a max-clock-ahead above the grace).
        long end = written > now + maxAheadMillis ? now : written;
        // Kafka Streams drops a record whose window ended at or before the partition's time less the grace; windows
        // are aligned to the epoch.
        long windowEnd = Math.floorDiv(end, windowMillis) * windowMillis + windowMillis;
        if (partitionTime >= 0 && windowEnd <= partitionTime - graceMillis) {
            late.increment();
            if (now - lastLateLog >= 60_000) {
                lastLateLog = now;
                LOG.warnf("a report from %s for %s/%s ended at %s, after its window closed; counted in the window open"
                        + " now (%d such reports since start)", r.nodeId(), r.namespace(), r.service(),
                        r.intervalEnd(), late.sum());
            }
            return partitionTime;
        }
        return end;
    }
}
