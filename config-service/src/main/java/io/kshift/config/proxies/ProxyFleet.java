package io.kshift.config.proxies;

import io.kshift.config.bus.LiveConfig;
import io.kshift.config.bus.ReadThrough;
import io.kshift.config.history.GenerationHistory;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.GenerationSummary;
import io.kshift.model.event.ProxyStatus;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * Channel {@code proxy-status} ← topic {@code kshift.proxy-status} (compacted, read from the start): the last report
 * of every proxy node, and the sync state derived from it against the live generation. A tombstone (a node that
 * shut down cleanly) removes the node.
 */
@ApplicationScoped
public class ProxyFleet {
    private static final Logger LOG = Logger.getLogger(ProxyFleet.class);

    private final Map<String, ProxyStatus> nodes = new ConcurrentHashMap<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final LiveConfig live;
    private final GenerationHistory history;
    private final Duration staleAfter;
    private final Duration goneAfter;
    private final Clock clock = Clock.systemUTC();
    private final ReadThrough readThrough = new ReadThrough();

    public ProxyFleet(LiveConfig live, GenerationHistory history,
                      @ConfigProperty(name = "kshift.proxies.stale-after", defaultValue = "5s") Duration staleAfter,
                      @ConfigProperty(name = "kshift.proxies.gone-after", defaultValue = "15s") Duration goneAfter) {
        this.live = live;
        this.history = history;
        this.staleAfter = staleAfter;
        this.goneAfter = goneAfter;
    }

    @Incoming("proxy-status")
    public void onStatus(ConsumerRecord<String, String> record) {
        if (record.value() == null) {
            if (record.key() != null) {
                nodes.remove(record.key());
            }
        } else {
            try {
                ProxyStatus status = EventCodec.decode(record.value(), ProxyStatus.class);
                nodes.merge(status.nodeId(), status,
                        (old, next) -> next.reportedAt().isBefore(old.reportedAt()) ? old : next);
            } catch (RuntimeException e) {
                LOG.warnf("ignoring an unreadable proxy status: %s", e.getMessage());
            }
        }
        readThrough.read(record.partition(), record.offset());
        listeners.forEach(Runnable::run);
    }

    /** How far this view has read the reports on the bus at start. */
    public ReadThrough readThrough() {
        return readThrough;
    }

    /** Every known node with its state, sorted by node id. */
    public List<ProxyView> view() {
        GenerationSummary live = this.live.head();
        Instant now = clock.instant();
        return nodes.values().stream().sorted(Comparator.comparing(ProxyStatus::nodeId))
                .map(s -> ProxyView.of(s, state(s, live, now), now)).toList();
    }

    SyncState state(ProxyStatus s, GenerationSummary live, Instant now) {
        if (s.reportedAt().plus(goneAfter).isBefore(now)) {
            return SyncState.NOT_SEEN;
        }
        if (s.generation() >= live.generation()) {
            return SyncState.SYNCED;
        }
        // Behind since the first generation it lacks was made, not the newest: under a stream of changes the newest
        // is always young, and a node stuck on an old one would never be called STALE.
        Instant behindSince = history.madeAfter(s.generation()).filter(t -> t.isBefore(live.createdAt()))
                .orElse(live.createdAt());
        return behindSince.plus(staleAfter).isBefore(now) ? SyncState.STALE : SyncState.SYNCING;
    }

    /** The outcome of waiting for a generation: the live nodes that run it and those that do not (yet). */
    public record SyncReport(long generation, List<String> synced, List<String> lagging) {
        public boolean complete() {
            return lagging.isEmpty();
        }
    }

    public SyncReport report(long generation) {
        Instant now = clock.instant();
        List<ProxyStatus> alive = nodes.values().stream()
                .filter(s -> !s.reportedAt().plus(goneAfter).isBefore(now))
                .sorted(Comparator.comparing(ProxyStatus::nodeId)).toList();
        return new SyncReport(generation,
                alive.stream().filter(s -> s.generation() >= generation).map(ProxyStatus::nodeId).toList(),
                alive.stream().filter(s -> s.generation() < generation).map(ProxyStatus::nodeId).toList());
    }

    /** Completes when every live node runs {@code generation}, or at the timeout with the laggards named. */
    public Uni<SyncReport> awaitSynced(long generation, Duration timeout) {
        CompletableFuture<SyncReport> done = new CompletableFuture<>();
        Runnable check = () -> {
            SyncReport r = report(generation);
            if (r.complete()) {
                done.complete(r);
            }
        };
        listeners.add(check);
        check.run();
        return Uni.createFrom().completionStage(done)
                .ifNoItem().after(timeout).recoverWithItem(() -> report(generation))
                .onTermination().invoke(() -> listeners.remove(check));
    }
}
