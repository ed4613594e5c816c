package io.kshift.proxy.config;

import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.SnapshotDelta;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.ResourceKey;
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
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Channel {@code config} ← topic {@code kshift.config}. Each node reads the compacted topic from the start with a
 * group of its own that never commits, so a restarted node always finds the newest snapshot. Snapshots are
 * conflated: arrival only puts the record aside (replacing one still waiting, counted as superseded: the newer
 * snapshot contains it), and one builder thread of its own turns the newest waiting one into a route table —
 * never on an event loop, never in the way of heartbeats, and never building a generation that is already out
 * of date. A newer generation's listeners follow it, the table is swapped in atomically, and the node reports it.
 * At start, snapshots older than the generation live then ({@link LiveAtStart}, told by their summary header) are
 * skipped without being decoded: after a big load the uncleaned topic holds many of MBs each, and building them
 * one by one next to the warm-up exhausted a 192 MB heap.
 *
 * <p>A record whose {@value SnapshotDelta#HEADER} header follows the generation this node runs is applied as that
 * delta to the running config (no snapshot of megabytes decoded); any other record is decoded whole.
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
    /** Load balancers pick on every event loop at once: each thread draws from its own generator, no lock. */
    private final RandomGenerator random = () -> java.util.concurrent.ThreadLocalRandom.current().nextLong();
    private final AtomicReference<ConsumerRecord<String, byte[]>> waiting = new AtomicReference<>();
    private final AtomicLong deltasApplied = new AtomicLong();
    /**
     * Builder thread only. Replaced when a delta is applied: it holds the last snapshot it decoded (MBs of text and
     * objects) to reuse unchanged resources, and after a delta those are no longer what the node runs.
     */
    private SnapshotDecoder decoder = new SnapshotDecoder();
    private final ExecutorService builder = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kshift-route-builder");
        t.setDaemon(true);
        return t;
    });

    public SnapshotApplier(RouteTableHolder tables, ListenerManager listeners, io.kshift.proxy.udp.UdpProxy udp,
                           StatusReporter status, Telemetry telemetry, RouteTableFactory factory,
                           MeterRegistry registry, LiveAtStart liveAtStart) {
        this.liveAtStart = liveAtStart;
        this.udp = udp;
        FunctionCounter.builder("kshift_config_snapshots_unreadable", tables.unreadable(), AtomicLong::doubleValue)
                .description("records on the config topic this node could not use").register(registry);
        FunctionCounter.builder("kshift_config_deltas_applied", deltasApplied, AtomicLong::doubleValue)
                .description("generations built from a record's delta header rather than its whole snapshot")
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
            // A tombstone or an empty record is no snapshot; it must not displace one that waits to be built.
            LOG.warn("ignoring an empty record on the config topic");
            tables.unreadable().incrementAndGet();
            return;
        }
        io.kshift.model.event.GenerationSummary summary =
                io.kshift.model.event.GenerationSummary.ofRecord(record.headers(), record.value());
        if (summary != null && summary.generation() < liveAtStart.generation()) {
            // Older than what was live when this node started: a newer snapshot follows on the topic.
            tables.superseded().incrementAndGet();
            return;
        }
        if (waiting.getAndSet(record) != null) {
            tables.superseded().incrementAndGet();
        } else {
            builder.execute(this::buildNewest);
        }
    }

    private void buildNewest() {
        ConsumerRecord<String, byte[]> record = waiting.getAndSet(null);
        if (record == null) {
            return;
        }
        long started = System.nanoTime();
        RouteTable current = tables.get();
        Optional<MeshConfig.Changed> delta = delta(record, current);
        long generation;
        MeshConfig config;
        List<ResourceKey> changedKeys = null;
        if (delta.isPresent()) {
            deltasApplied.incrementAndGet();
            decoder = new SnapshotDecoder();
            generation = current.generation() + 1;
            config = delta.get().config();
            changedKeys = delta.get().changedKeys();
        } else {
            MeshSnapshot snapshot;
            try {
                snapshot = decoder.decode(new String(record.value(), StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                LOG.errorf("ignoring an unreadable snapshot: %s", e.getMessage());
                tables.unreadable().incrementAndGet();
                return;
            }
            generation = snapshot.generation();
            config = MeshConfig.of(snapshot.resources());
        }
        try {
            apply(generation, config, changedKeys, started);
        } catch (RuntimeException e) {
            LOG.errorf(e, "generation %d could not be applied; still running %d", generation,
                    tables.get().generation());
            tables.unreadable().incrementAndGet();
        }
    }

    /**
     * The record's delta applied to the running config, when it has one that follows the running generation (a
     * node that runs nothing yet, or skipped a generation, decodes the snapshot).
     */
    private static Optional<MeshConfig.Changed> delta(ConsumerRecord<String, byte[]> record, RouteTable current) {
        Header header = record.headers().lastHeader(SnapshotDelta.HEADER);
        if (header == null || current.generation() == 0) {
            return Optional.empty();
        }
        try {
            SnapshotDelta delta = EventCodec.decode(new String(header.value(), StandardCharsets.UTF_8),
                    SnapshotDelta.class);
            return delta.base() == current.generation() ? delta.applyTo(current.config()) : Optional.empty();
        } catch (RuntimeException e) {
            LOG.warnf("ignoring an unreadable %s header (decoding the snapshot instead): %s", SnapshotDelta.HEADER,
                    e.getMessage());
            return Optional.empty();
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
        // New ports open before the table that routes them is visible; removed ones close after it is gone.
        var both = new TreeMap<>(current.listeners());
        both.putAll(table.listeners());
        listeners.reconcile(both);
        var udpPorts = new java.util.TreeSet<>(current.udp().keySet());
        udpPorts.addAll(table.udp().keySet());
        udp.reconcile(udpPorts);
        if (tables.swapIfNewer(table)) {
            listeners.reconcile(table.listeners());
            udp.reconcile(table.udp().keySet());
            LOG.infof("applied generation %d in %d ms: %d listeners, %d tcp routes, %d http ports; virtual hosts "
                    + "%d compiled, %d reused", table.generation(), table.build().buildMillis(),
                    table.listeners().size(), table.routes().size(), table.http().size(),
                    table.build().hostsCompiled(), table.build().hostsReused());
            status.report();
        }
    }

    /** Generations built from a delta header rather than by decoding the snapshot. */
    public long deltasApplied() {
        return deltasApplied.get();
    }

    @PreDestroy
    void stop() {
        builder.shutdownNow();
    }
}
