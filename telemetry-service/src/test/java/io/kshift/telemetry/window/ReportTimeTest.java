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
    final ReportTime time = new ReportTime(() -> NOW, Duration.ofSeconds(5));

    long of(Object value) {
        return time.extract(new ConsumerRecord<>("kshift.telemetry.raw", 0, 0L, "default/echo", value), 42L);
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
}
