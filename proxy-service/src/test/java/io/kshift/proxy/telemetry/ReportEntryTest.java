package io.kshift.proxy.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What one interval of one key reports, and when it reports nothing. */
class ReportEntryTest {
    private static TrafficStats tcp() {
        return new TrafficStats(new TrafficKey("default", "tcp-echo", "v1", "v1", "tcp:31401", "tcp", false), () -> {
        }, ms -> {
        });
    }

    @Test
    void anIntervalOfOnlyRefusedConnectionsIsReportedNotDroppedAsIdle() {
        TrafficStats s = tcp();
        assertThat(TelemetryReporter.entry(s)).as("nothing happened").isNull();
        // maxConnections reached by another listener's connections: this listener refused one at accept.
        s.unserved("UO");
        var entry = TelemetryReporter.entry(s);
        assertThat(entry).isNotNull();
        assertThat(entry.responseFlags()).containsEntry("UO", 1L);
        assertThat(TelemetryReporter.entry(s)).as("and the next interval is idle again").isNull();
    }
}
