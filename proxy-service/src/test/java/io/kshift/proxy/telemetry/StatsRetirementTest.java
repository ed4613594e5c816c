package io.kshift.proxy.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
        assertThat(opened.retired()).as("a connection is open on them").isFalse();
        assertThat(catalogue.all()).containsExactly(opened);
        opened.connectionClosed(5);
        catalogue.retire(opened);
        assertThat(opened.retired()).isTrue();
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
        long[] retired = new long[4]; // stats retired, and their opened, closed and bytes: summed as they go
        Thread reporter = new Thread(() -> {
            while (going.get()) {
                for (TrafficStats s : catalogue.all()) {
                    catalogue.retire(s);
                }
                add(retired, catalogue.takeRetired());
            }
        });
        reporter.start();
        long opened = 0;
        for (int i = 0; i < 50_000; i++) {
            TrafficStats s = ref.open();
            s.bytesFromClient().add(1);
            s.connectionClosed(0);
            opened++;
        }
        going.set(false);
        reporter.join();
        add(retired, catalogue.takeRetired());
        long[] live = new long[4];
        add(live, List.copyOf(catalogue.all()));
        assertThat(catalogue.all()).allSatisfy(s -> assertThat(s.connectionsActive.get()).isZero());
        assertThat(retired[1] + live[1]).as("opened").isEqualTo(opened);
        assertThat(retired[2] + live[2]).as("closed").isEqualTo(opened);
        assertThat(retired[3] + live[3]).as("bytes").isEqualTo(opened);
        assertThat(retired[0]).as("the race was run").isPositive();
    }

    private static void add(long[] sums, List<TrafficStats> stats) {
        for (TrafficStats s : stats) {
            sums[0]++;
            sums[1] += s.connectionsOpened.sum();
            sums[2] += s.connectionsClosed.sum();
            sums[3] += s.bytesFromClient().sum();
        }
    }
}
