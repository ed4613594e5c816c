package io.kshift.config.proxies;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.config.bus.LiveConfig;
import io.kshift.config.history.GenerationHistory;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.GenerationSummary;
import io.kshift.model.event.ProxyStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** A node's sync state: STALE once it has been behind for longer than stale-after, however young the newest is. */
class ProxyFleetStateTest {
    private static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");
    private final GenerationHistory history = new GenerationHistory();
    private final ProxyFleet fleet = new ProxyFleet(new LiveConfig(), history, Duration.ofSeconds(5),
            Duration.ofSeconds(15));

    @Test
    void aNodeStuckBehindAStreamOfChangesIsStaleThoughTheNewestIsYoung() {
        // A change every 3 s for 45 s; the node stopped at generation 5, whose successor was made 30 s ago.
        for (long g = 1; g <= 20; g++) {
            made(g, NOW.minusSeconds(60 - 3 * g));
        }
        GenerationSummary live = summary(20, NOW.minusSeconds(0));
        assertThat(fleet.state(node(5), live, NOW)).isEqualTo(SyncState.STALE);
        assertThat(fleet.state(node(19), summary(20, NOW.minusSeconds(1)), NOW)).isEqualTo(SyncState.SYNCING);
        assertThat(fleet.state(node(20), live, NOW)).isEqualTo(SyncState.SYNCED);
    }

    @Test
    void withoutTheHistoryTheNewestGenerationsAgeDecides() {
        assertThat(fleet.state(node(5), summary(20, NOW.minusSeconds(2)), NOW)).isEqualTo(SyncState.SYNCING);
        assertThat(fleet.state(node(5), summary(20, NOW.minusSeconds(6)), NOW)).isEqualTo(SyncState.STALE);
    }

    @Test
    void aNodeJustBehindIsSyncingUntilStaleAfterHasPassed() {
        made(6, NOW.minusSeconds(4));
        made(7, NOW.minusSeconds(1));
        assertThat(fleet.state(node(5), summary(7, NOW.minusSeconds(1)), NOW)).isEqualTo(SyncState.SYNCING);
        assertThat(fleet.state(node(5), summary(7, NOW.minusSeconds(1)), NOW.plusSeconds(2)))
                .isEqualTo(SyncState.STALE);
    }

    @Test
    void aNodeNotHeardFromIsNotSeen() {
        ProxyStatus quiet = new ProxyStatus(null, "proxy-1", 20, List.of(), NOW.minusSeconds(120),
                NOW.minusSeconds(16), null, null, Map.of(), 0, 0);
        assertThat(fleet.state(quiet, summary(20, NOW.minusSeconds(60)), NOW)).isEqualTo(SyncState.NOT_SEEN);
    }

    private void made(long generation, Instant at) {
        ConsumerRecord<String, String> record = new ConsumerRecord<>("kshift.config-history", 0, generation,
                String.valueOf(generation), EventCodec.encode(summary(generation, at)));
        record.headers().add(GenerationSummary.HEADER, "-".getBytes(StandardCharsets.UTF_8));
        history.onSnapshot(record);
    }

    private static GenerationSummary summary(long generation, Instant at) {
        return new GenerationSummary(generation, "change-" + generation, at, 10, List.of(), "test");
    }

    private static ProxyStatus node(long generation) {
        return new ProxyStatus(null, "proxy-1", generation, List.of(), NOW.minusSeconds(120), NOW, null, null,
                Map.of(), 0, 0);
    }
}
