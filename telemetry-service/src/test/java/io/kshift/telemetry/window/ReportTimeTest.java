package io.kshift.telemetry.window;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.event.TelemetryReport;
import io.kshift.telemetry.Reports;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** A report's window time is its interval's end, unless that is too far ahead of this service's clock. */
class ReportTimeTest {
    static final long NOW = Instant.parse("2026-12-06T12:00:00Z").toEpochMilli();
    final ReportTime time = new ReportTime(() -> NOW, Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(1));

    long of(Object value) {
        return at(value, 42L);
    }

    long at(Object value, long partitionTime) {
        return time.extract(new ConsumerRecord<>("kshift.telemetry.raw", 0, 0L, "default/echo", value), partitionTime);
    }

    static TelemetryReport endingAt(long millis) {
        return Reports.report("proxy-1", Instant.ofEpochMilli(millis), "echo", List.of());
    }

    @Test
    void aReportCountsAtItsIntervalsEnd() {
        assertThat(of(endingAt(NOW - 3_000))).isEqualTo(NOW - 3_000);
        assertThat(of(endingAt(NOW + 4_000))).as("clocks a little apart").isEqualTo(NOW + 4_000);
    }

    @Test
    void aReportFromTheFutureCountsNowAndCannotMoveThePartitionsTimeAhead() {
        assertThat(of(endingAt(NOW + 3_600_000))).isEqualTo(NOW);
        assertThat(of(endingAt(Instant.parse("2999-01-01T00:00:00Z").toEpochMilli()))).isEqualTo(NOW);
    }

    @Test
    void aRecordThatIsNoReportKeepsThePartitionsTime() {
        assertThat(of("not a report")).isEqualTo(42L);
        assertThat(of(null)).isEqualTo(42L);
    }

    @Test
    void aReportWhoseWindowHasClosedCountsInTheWindowOpenNowInsteadOfBeingDropped() {
        long windowStart = NOW - 20_000; // a multiple of 10 s, in the past
        // The partition is at 10.5 s: the window [0, 10 s) takes reports until 11 s, so a report ending at 9.9 s is
        // on time, and one ending at 11 s too.
        assertThat(at(endingAt(windowStart + 9_900), windowStart + 10_500)).isEqualTo(windowStart + 9_900);
        assertThat(time.late()).isZero();
        // At 11 s the window has closed: Kafka Streams would drop the report; it counts at the partition's time.
        assertThat(at(endingAt(windowStart + 9_900), windowStart + 11_000)).isEqualTo(windowStart + 11_000);
        assertThat(at(endingAt(windowStart - 3_600_000), windowStart + 11_000)).as("an hour behind")
                .isEqualTo(windowStart + 11_000);
        assertThat(time.late()).isEqualTo(2);
        // A report from the future is clamped to now, and now may be in a closed window itself: the partition's
        // time ahead of this service's clock (another instance's, before a rebalance).
        assertThat(at(endingAt(NOW + 3_600_000), NOW + 20_000)).isEqualTo(NOW + 20_000);
        // Before any record the partition has no time (-1): a report is taken at its own time.
        assertThat(at(endingAt(windowStart - 3_600_000), -1L)).isEqualTo(windowStart - 3_600_000);
    }
}
