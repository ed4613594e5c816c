package io.kshift.proxy.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.reactive.messaging.kafka.Record;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The order of a node's status records: its tombstone is the last, whatever is reporting when it goes. */
class StatusChannelTest {
    @Test
    void nothingFollowsTheTombstoneWhileReportsRaceIt() throws Exception {
        io.kshift.proxy.KeptRecords sent = new io.kshift.proxy.KeptRecords();
        StatusChannel channel = new StatusChannel(sent);
        AtomicInteger refused = new AtomicInteger();
        List<Thread> reporters = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Thread t = new Thread(() -> {
                while (refused.get() < 2_000) { // reporting on well past the tombstone
                    if (channel.report("node-a", () -> "{}") == null) {
                        refused.incrementAndGet();
                    }
                }
            });
            t.start();
            reporters.add(t);
        }
        while (sent.count.get() < 1_000) {
            Thread.onSpinWait(); // the tombstone goes in the middle of the reports
        }
        channel.close("node-a").toCompletableFuture().get();
        for (Thread t : reporters) {
            t.join();
        }
        Record<String, String> last = sent.records.get(sent.records.size() - 1);
        assertThat(last.key()).isEqualTo("node-a");
        assertThat(last.value()).as("the tombstone is the node's last word").isNull();
        assertThat(sent.records.stream().filter(r -> r.value() == null)).hasSize(1);
        assertThat(channel.close("node-a").toCompletableFuture().get()).isNull();
        assertThat(sent.records.stream().filter(r -> r.value() == null)).as("one tombstone").hasSize(1);
    }

    /** Reports racing a generation swap go out in the order of what they say: a status never follows a newer one. */
    @Test
    void aReportNeverFollowsANewerOne() throws Exception {
        io.kshift.proxy.KeptRecords sent = new io.kshift.proxy.KeptRecords();
        StatusChannel channel = new StatusChannel(sent);
        java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();
        Thread heartbeat = new Thread(() -> {
            while (generation.get() < 20_000) {
                channel.report("node-a", () -> String.valueOf(generation.get()));
            }
        });
        heartbeat.start();
        for (int i = 0; i < 20_000; i++) { // the route builder: swap, then report
            generation.incrementAndGet();
            channel.report("node-a", () -> String.valueOf(generation.get()));
        }
        heartbeat.join();
        List<Long> said = sent.records.stream().map(r -> Long.parseLong(r.value())).toList();
        assertThat(said).isSorted();
    }
}
