package io.kshift.proxy.config;

import io.kshift.model.event.GenerationSummary;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.event.SnapshotDelta;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.ResourceKey;
import io.kshift.model.event.DeltaDecoder;
import io.kshift.model.event.SnapshotDecoder;
import io.kshift.proxy.routing.Destinations;
import io.kshift.proxy.routing.RouteTable;
import io.kshift.proxy.status.StatusReporter;
import io.kshift.proxy.tcp.ListenerManager;
import io.kshift.proxy.telemetry.Telemetry;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Channel {@code config} ← topic {@code kshift.config}. Each node reads the compacted topic from the start with a
 * group of its own that never commits, so a restarted node always finds the newest checkpoint and the newest delta
 * on it. Records are conflated: arrival only puts the record aside (the newest checkpoint and the newest delta after
 * it; whatever they replace is counted as superseded: a checkpoint contains what came before it, and a delta is
 * cumulative since its checkpoint), and one builder thread of its own turns what waits into a route table — never
 * on an event loop, never in the way of heartbeats, and never building a generation that is already out of date.
 * A delta whose checkpoint this node runs or has passed is applied to the running config (no snapshot of megabytes
 * decoded); a checkpoint is decoded only when no such delta covers it. A newer generation's listeners follow it,
 * the table is swapped in atomically, and the node reports it. At start, records older than the checkpoint of the
 * generation live then ({@link LiveAtStart}, told by their summary header) are skipped without being decoded: after
 * a big load the uncleaned topic holds many of MBs each, and building them one by one next to the warm-up exhausted
 * a 192 MB heap.
 */
@ApplicationScoped
public class SnapshotApplier {
    private static final Logger LOG = Logger.getLogger(SnapshotApplier.class);

    private final RouteTableHolder tables;
    private final ListenerManager listeners;
    private final io.kshift.proxy.udp.UdpProxy udp;
    private final StatusReporter status;
    private final Telemetry telemetry;
    private final RouteTableFactory factory;
    private final LiveAtStart liveAtStart;
    private final io.kshift.proxy.http.HttpProxy http;
    /** Load balancers pick on every event loop at once: each thread draws from its own generator, no lock. */
    private final RandomGenerator random = () -> java.util.concurrent.ThreadLocalRandom.current().nextLong();
    private final AtomicReference<Waiting> waiting = new AtomicReference<>();
    private final AtomicLong deltasApplied = new AtomicLong();
    /**
     * The last generation whose build threw (builder thread only; null once one builds): a delta on a checkpoint the
     * node holds only here is applied to it, not refused until the next checkpoint, up to 100 generations later.
     */
    private Unbuilt unbuilt;

    private record Unbuilt(long generation, MeshConfig config) {
    }

    /** The newest checkpoint and the newest delta after it that wait for the builder (either may be null). */
    private record Waiting(ConsumerRecord<String, byte[]> checkpoint, ConsumerRecord<String, byte[]> delta) {
        static final Waiting NONE = new Waiting(null, null);

        Waiting with(ConsumerRecord<String, byte[]> record) {
            return MeshTopics.DELTA_KEY.equals(record.key()) ? new Waiting(checkpoint, record) : new Waiting(record, null);
        }

        /** What {@code next} pushes out of this: a delta replaces a delta; a checkpoint replaces both. */
        int replacedBy(ConsumerRecord<String, byte[]> next) {
            return MeshTopics.DELTA_KEY.equals(next.key()) ? (delta == null ? 0 : 1)
                    : (checkpoint == null ? 0 : 1) + (delta == null ? 0 : 1);
        }
    }

    /**
     * Builder thread only. Holds the last checkpoint it decoded (MBs of text and objects), deltas applied since or
     * not, so that the next checkpoint decodes only the resources whose text changed.
     */
    private final SnapshotDecoder decoder = new SnapshotDecoder();
    /** Builder thread only: the last delta's upserts, which the next cumulative delta mostly repeats. */
    private final DeltaDecoder deltas = new DeltaDecoder();
    private final ExecutorService builder = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kshift-route-builder");
        t.setDaemon(true);
        return t;
    });

    public SnapshotApplier(RouteTableHolder tables, ListenerManager listeners, io.kshift.proxy.udp.UdpProxy udp,
                           StatusReporter status, Telemetry telemetry, RouteTableFactory factory,
                           MeterRegistry registry, LiveAtStart liveAtStart, io.kshift.proxy.http.HttpProxy http) {
        this.liveAtStart = liveAtStart;
        this.http = http;
        this.udp = udp;
        FunctionCounter.builder("kshift_config_snapshots_unreadable", tables.unreadable(), AtomicLong::doubleValue)
                .description("records on the config topic this node could not use").register(registry);
        FunctionCounter.builder("kshift_config_deltas_applied", deltasApplied, AtomicLong::doubleValue)
                .description("generations built from a delta record rather than a whole snapshot")
                .register(registry);
        this.telemetry = telemetry;
        this.factory = factory;
        this.tables = tables;
        this.listeners = listeners;
        this.status = status;
    }

    @Incoming("config")
    public void onSnapshot(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null || record.value().length == 0) {
            // A tombstone or an empty record is no config; it must not displace one that waits to be built.
            LOG.warn("ignoring an empty record on the config topic");
            tables.unreadable().incrementAndGet();
            return;
        }
        GenerationSummary summary = GenerationSummary.ofRecord(record.headers(), record.value());
        if (summary != null && summary.generation() < liveAtStart.checkpoint()) {
            // Older than the checkpoint live when this node started: that checkpoint follows on the topic.
            tables.superseded().incrementAndGet();
            return;
        }
        Waiting before = waiting.getAndUpdate(w -> (w == null ? Waiting.NONE : w).with(record));
        if (before != null) {
            tables.superseded().addAndGet(before.replacedBy(record));
        } else {
            builder.execute(this::buildNewest);
        }
    }

    private void buildNewest() {
        Waiting next = waiting.getAndSet(null);
        if (next == null) {
            return;
        }
        long started = System.nanoTime();
        RouteTable current = tables.get();
        SnapshotDelta delta = next.delta() == null ? null : delta(next.delta());
        long generation = current.generation();
        MeshConfig config = current.config();
        List<ResourceKey> changedKeys = null;
        boolean fitsRunning = delta != null && delta.base() <= generation && delta.generation() > generation;
        Optional<MeshConfig.Changed> applied = fitsRunning ? delta.applyTo(config) : Optional.empty();
        if (applied.isPresent()) {
            changedKeys = applied.get().changedKeys();
            if (next.checkpoint() != null) {
                tables.superseded().incrementAndGet();
            }
        } else {
            MeshSnapshot snapshot = next.checkpoint() == null ? null : checkpoint(next.checkpoint());
            if (snapshot != null && snapshot.generation() > generation) {
                generation = snapshot.generation();
                config = MeshConfig.of(snapshot.resources());
                fitsRunning = false;
            } else if (snapshot != null) {
                tables.superseded().incrementAndGet();
            }
            if (delta != null && delta.generation() <= generation) {
                tables.superseded().incrementAndGet();
            } else if (delta != null && delta.base() > generation && !fits(delta, unbuilt)) {
                missingCheckpoint(delta, generation);
            } else if (delta != null) {
                // On a config the node could not build: the keys changed since it are not those since the running
                // table, so that build is whole (changedKeys stays null).
                MeshConfig onto = delta.base() > generation ? unbuilt.config() : config;
                applied = fitsRunning ? applied : delta.applyTo(onto);
                if (applied.isEmpty()) {
                    LOG.errorf("the delta to generation %d does not add up to %d resources on generation %d; "
                            + "waiting for the next checkpoint", delta.generation(), delta.resources(), generation);
                    tables.unreadable().incrementAndGet();
                }
            }
        }
        if (applied.isPresent()) {
            deltasApplied.incrementAndGet();
            generation = delta.generation();
            config = applied.get().config();
            // The decoder keeps the last checkpoint's text (MBs) on purpose: the next checkpoint, up to 100
            // generations later, differs from it in a few resources, and only those are decoded. Dropped, every
            // checkpoint decoded every resource (360-810 ms in a proxy at 10,000 resources, one change in 100).
        }
        if (generation == current.generation()) {
            return;
        }
        try {
            apply(generation, config, changedKeys, started);
            unbuilt = null;
        } catch (RuntimeException e) {
            LOG.errorf(e, "generation %d could not be applied; still running %d", generation,
                    tables.get().generation());
            tables.unreadable().incrementAndGet();
            unbuilt = new Unbuilt(generation, config);
        }
    }

    /** Whether the delta takes {@code config} (its checkpoint or later) to a newer generation. */
    private static boolean fits(SnapshotDelta delta, Unbuilt config) {
        return config != null && delta.base() <= config.generation() && delta.generation() > config.generation();
    }

    /** The checkpoint decoded, or null (counted) when it does not decode. */
    private MeshSnapshot checkpoint(ConsumerRecord<String, byte[]> record) {
        try {
            return decoder.decode(new String(record.value(), StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            LOG.errorf("ignoring an unreadable snapshot: %s", e.getMessage());
            tables.unreadable().incrementAndGet();
            return null;
        }
    }

    /**
     * A delta on a checkpoint this node has not run. Compaction can leave an old delta before the checkpoint that
     * replaced it, which comes next; once the node runs what was live when it started, it means a checkpoint it
     * could not read, and it waits for the next (the validator writes one at least every 100 generations).
     */
    private void missingCheckpoint(SnapshotDelta delta, long running) {
        long live = liveAtStart.generation();
        if (live >= 0 && running >= live) {
            LOG.warnf("the delta to generation %d is on checkpoint %d, which this node does not run (it runs %d); "
                    + "waiting for the next checkpoint", delta.generation(), delta.base(), running);
            tables.unreadable().incrementAndGet();
        } else {
            tables.superseded().incrementAndGet();
        }
    }

    /** The delta record decoded, or null (counted) when it does not decode. */
    private SnapshotDelta delta(ConsumerRecord<String, byte[]> record) {
        try {
            return deltas.decode(new String(record.value(), StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            LOG.errorf("ignoring an unreadable delta: %s", e.getMessage());
            tables.unreadable().incrementAndGet();
            return null;
        }
    }

    /** Builds and installs {@code config} (builder thread only), unless the node already runs it or newer. */
    private void apply(long generation, MeshConfig config, List<ResourceKey> changedKeys, long started) {
        RouteTable current = tables.get();
        if (generation <= current.generation()) {
            return;
        }
        RouteTable table = factory.build(generation, config, changedKeys, new Destinations(random, System::nanoTime,
                telemetry, current.carryOver()), current).withBuildMillis((System.nanoTime() - started) / 1_000_000);
        // New ports open before the table that routes them is visible; removed ones close after it is gone; a port
        // whose listener changes (a TLS port now asking for client certificates) is reopened only after the swap:
        // reopened before it, the clients it cut reconnected to chains of the old table, and kept those connections.
        var both = new TreeMap<>(table.listeners());
        both.putAll(current.listeners());
        listeners.reconcile(both);
        var udpPorts = new java.util.TreeSet<>(current.udp().keySet());
        udpPorts.addAll(table.udp().keySet());
        udp.reconcile(udpPorts);
        if (tables.swapIfNewer(table)) {
            listeners.reconcile(table.listeners());
            udp.reconcile(table.udp().keySet());
            LOG.infof("applied generation %d in %d ms: %d listeners, %d tcp routes, %d http ports; virtual hosts "
                    + "%d compiled, %d reused%s", table.generation(), table.build().buildMillis(),
                    table.listeners().size(), table.routes().size(), table.http().size(),
                    table.build().hostsCompiled(), table.build().hostsReused(),
                    table.build().meshPatched() ? " (mesh table patched)" : "");
            status.report();
            // After the report, off the sync path: upstream pools of policies no route names any more drain.
            http.retainPools(table);
        }
    }

    /** Generations built from a delta record rather than by decoding a snapshot. */
    public long deltasApplied() {
        return deltasApplied.get();
    }

    @PreDestroy
    void stop() {
        builder.shutdownNow();
    }
}
