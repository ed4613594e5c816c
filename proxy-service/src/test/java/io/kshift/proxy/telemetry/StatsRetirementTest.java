package io.kshift.proxy.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Idle stats are retired while traffic may reach them at any moment: a connection reports its bytes and close to the
 * stats it opened on, stats with a connection open are never retired, and fresh stats keep their meters.
 */
class StatsRetirementTest {
    static final TrafficKey KEY = new TrafficKey("default", "echo", "v1", "v1", "tcp:7000", "tcp", false);

    @Test
    void statsWithAConnectionOpenAreNotRetiredAndTheConnectionClosesOnItsOwn() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Telemetry catalogue = new Telemetry(registry);
        StatsRef ref = new StatsRef(catalogue, KEY);
        TrafficStats opened = ref.open();
        catalogue.retire(opened);
        assertThat(opened.retired).as("a connection is open on them").isFalse();
        assertThat(catalogue.all()).containsExactly(opened);
        opened.connectionClosed(5);
        catalogue.retire(opened);
        assertThat(opened.retired).isTrue();
        assertThat(catalogue.takeRetired()).containsExactly(opened);

        TrafficStats fresh = ref.open();
        assertThat(fresh).isNotSameAs(opened);
        assertThat(fresh.connectionsActive.get()).isEqualTo(1);
        assertThat(registry.find("kshift_tcp_connections_active").gauges()).as("the fresh stats' meters stay")
                .singleElement().satisfies(g -> assertThat(g.value()).isEqualTo(1.0));
    }

    @Test
    void connectionsOpeningAndClosingWhileTheReporterRetiresNeverLeaveACountBehind() throws Exception {
        Telemetry catalogue = new Telemetry(new SimpleMeterRegistry());
        StatsRef ref = new StatsRef(catalogue, KEY);
        AtomicBoolean going = new AtomicBoolean(true);
        List<TrafficStats> retired = new ArrayList<>();
        Thread reporter = new Thread(() -> {
            while (going.get()) {
                for (TrafficStats s : catalogue.all()) {
                    catalogue.retire(s);
                }
                retired.addAll(catalogue.takeRetired());
            }
        });
        reporter.start();
        long opened = 0;
        for (int i = 0; i < 200_000; i++) {
            TrafficStats s = ref.open();
            s.bytesFromClient().add(1);
            s.connectionClosed(0);
            opened++;
        }
        going.set(false);
        reporter.join();
        retired.addAll(catalogue.takeRetired());
        List<TrafficStats> every = new ArrayList<>(retired);
        every.addAll(catalogue.all());
        assertThat(catalogue.all()).allSatisfy(s -> assertThat(s.connectionsActive.get()).isZero());
        assertThat(every.stream().mapToLong(s -> s.connectionsOpened.sum()).sum()).isEqualTo(opened);
        assertThat(every.stream().mapToLong(s -> s.connectionsClosed.sum()).sum()).isEqualTo(opened);
        assertThat(every.stream().mapToLong(s -> s.bytesFromClient().sum()).sum()).isEqualTo(opened);
        assertThat(retired).as("the race was run").isNotEmpty();
    }
}
