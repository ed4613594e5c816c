package io.kshift.proxy.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

/** The warm-up's reports: built from the stats it is given, as the node's are, and never sent. */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class TelemetryRehearsalTest {
    @Inject
    TelemetryReporter reporter;
    @Inject
    Telemetry node;

    @Test
    void rehearsedReportsComeFromTheStatsGivenAndNeverReachTheBus() throws Exception {
        Telemetry warm = Telemetry.detached();
        TrafficStats v1 = warm.stats(new TrafficKey("rehearsal", "echo", "v1", "v1", "tcp:7000", "tcp", false));
        TrafficStats other = warm.stats(new TrafficKey("rehearsal", "web", "v1", "v1", "http:7001", "http", false));
        v1.connectionOpened();
        v1.connectionClosed(3);
        other.request(200, null, 2);

        try (KafkaConsumer<String, String> raw = TelemetryTest.consumer()) {
            raw.assignment().forEach(raw::position); // its start fixed now: whatever is sent from here is read
            assertThat(reporter.rehearse(warm)).isEqualTo(2); // one report per service
            // Drained as an interval's report drains them: the next interval starts empty.
            assertThat(v1.connectionDuration.getIntervalHistogram().getTotalCount()).isZero();
            assertThat(node.all()).noneMatch(s -> s.key().namespace().equals("rehearsal"));

            // Whatever the node reports meanwhile, none of it is the rehearsal's.
            List<String> keys = new ArrayList<>();
            long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < until) {
                for (ConsumerRecord<String, String> r : raw.poll(Duration.ofMillis(200))) {
                    keys.add(r.key());
                }
            }
            assertThat(keys).noneMatch(k -> k.startsWith("rehearsal/"));
        }
        assertThatThrownBy(() -> reporter.rehearse(node)).isInstanceOf(IllegalArgumentException.class);
    }
}
