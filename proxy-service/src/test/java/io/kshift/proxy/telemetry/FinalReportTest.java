package io.kshift.proxy.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.event.EventCodec;
import io.kshift.model.event.TelemetryReport;
import io.kshift.proxy.config.NodeIdentity;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.reactive.messaging.kafka.Record;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;

/**
 * A node stopping sends the interval it is in: what its last connections did (the shutdown drain's included) is
 * reported, not lost with the process. The channel is an in-memory {@link Emitter} that keeps what is sent: the
 * reporter's lifecycle is under test here; {@code TelemetryTest} covers reports on a real broker.
 */
class FinalReportTest {
    @Test
    void stoppingSendsTheIntervalInProgress() throws Exception {
        List<String> sent = new CopyOnWriteArrayList<>();
        Telemetry catalogue = new Telemetry(new SimpleMeterRegistry());
        TelemetryReporter reporter = new TelemetryReporter(new Kept(sent), catalogue,
                new NodeIdentity(Optional.of("proxy-9"), Optional.empty(), "istio-system"), 3_600_000,
                Duration.ofMinutes(5), new SimpleMeterRegistry());
        reporter.start(null);
        TrafficStats s = new StatsRef(catalogue, StatsRetirementTest.KEY).open();
        s.bytesFromClient().add(42);
        s.connectionClosed(3);
        assertThat(sent).as("an hour's interval: nothing sent yet").isEmpty();

        reporter.stop(null);

        assertThat(sent).singleElement().satisfies(json -> {
            TelemetryReport report = EventCodec.decode(json, TelemetryReport.class);
            assertThat(report.nodeId()).isEqualTo("proxy-9");
            assertThat(report.entries()).singleElement().satisfies(e -> {
                assertThat(e.connectionsOpened()).isEqualTo(1);
                assertThat(e.connectionsClosed()).isEqualTo(1);
                assertThat(e.bytesFromClient()).isEqualTo(42);
            });
        });
    }

    /** Keeps each record's value; every send is acknowledged at once. */
    record Kept(List<String> values) implements Emitter<Record<String, String>> {
        @Override
        public CompletionStage<Void> send(Record<String, String> record) {
            values.add(record.value());
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public <M extends Message<? extends Record<String, String>>> void send(M message) {
            values.add(message.getPayload().value());
        }

        @Override
        public void complete() {
        }

        @Override
        public void error(Exception e) {
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public boolean hasRequests() {
            return true;
        }
    }
}
