package io.kshift.proxy.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.event.EventCodec;
import io.kshift.model.event.TelemetryReport;
import io.kshift.proxy.config.NodeIdentity;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A node stopping sends the interval it is in: what its last connections did (the shutdown drain's included) is
 * reported, not lost with the process. The channel is an in-memory emitter that keeps what is sent: the
 * reporter's lifecycle is under test here; {@code TelemetryTest} covers reports on a real broker.
 */
class FinalReportTest {
    @Test
    void stoppingSendsTheIntervalInProgress() throws Exception {
        io.kshift.proxy.KeptRecords kept = new io.kshift.proxy.KeptRecords();
        Telemetry catalogue = new Telemetry(new SimpleMeterRegistry());
        TelemetryReporter reporter = new TelemetryReporter(kept, catalogue,
                new NodeIdentity(Optional.of("proxy-9"), Optional.empty(), "istio-system", Optional.empty()), 3_600_000,
                Duration.ofMinutes(5), new SimpleMeterRegistry());
        reporter.start(null);
        TrafficStats s = new StatsRef(catalogue, StatsRetirementTest.KEY).open();
        s.bytesFromClient().add(42);
        s.connectionClosed(3);
        assertThat(kept.records).as("an hour's interval: nothing sent yet").isEmpty();

        reporter.stop(null);

        assertThat(kept.records).singleElement().satisfies(record -> {
            TelemetryReport report = EventCodec.decode(record.value(), TelemetryReport.class);
            assertThat(report.nodeId()).isEqualTo("proxy-9");
            assertThat(report.entries()).singleElement().satisfies(e -> {
                assertThat(e.connectionsOpened()).isEqualTo(1);
                assertThat(e.connectionsClosed()).isEqualTo(1);
                assertThat(e.bytesFromClient()).isEqualTo(42);
            });
        });
    }
}
