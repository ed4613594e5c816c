package io.kshift.proxy.config;

import io.kshift.model.event.MeshSnapshot;
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
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Channel {@code config} ← topic {@code kshift.config}. Each node reads the compacted topic from the start with a
 * group of its own that never commits, so a restarted node always finds the newest snapshot. Snapshots are
 * conflated: arrival only puts the record aside (replacing one still waiting, counted as superseded: the newer
 * snapshot contains it), and one builder thread of its own turns the newest waiting one into a route table —
 * never on an event loop, never in the way of heartbeats, and never building a generation that is already out
 * of date. A newer generation's listeners follow it, the table is swapped in atomically, and the node reports it.
 */
@ApplicationScoped
public class SnapshotApplier {
    private static final Logger LOG = Logger.getLogger(SnapshotApplier.class);

    private final RouteTableHolder tables;
    private final ListenerManager listeners;
    private final StatusReporter status;
    private final Telemetry telemetry;
    private final RouteTableFactory factory;
    /** Load balancers pick on every event loop at once: each thread draws from its own generator, no lock. */
    private final RandomGenerator random = () -> java.util.concurrent.ThreadLocalRandom.current().nextLong();
    private final AtomicReference<String> waiting = new AtomicReference<>();
    /** Builder thread only. */
    private final SnapshotDecoder decoder = new SnapshotDecoder();
    private final ExecutorService builder = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kshift-route-builder");
        t.setDaemon(true);
        return t;
    });

    public SnapshotApplier(RouteTableHolder tables, ListenerManager listeners, StatusReporter status,
                           Telemetry telemetry, RouteTableFactory factory, MeterRegistry registry) {
        FunctionCounter.builder("kshift_config_snapshots_unreadable", tables.unreadable(), AtomicLong::doubleValue)
                .description("records on the config topic this node could not use").register(registry);
        this.telemetry = telemetry;
        this.factory = factory;
        this.tables = tables;
        this.listeners = listeners;
        this.status = status;
    }

    @Incoming("config")
    public void onSnapshot(String json) {
        if (json == null || json.isEmpty()) {
            // A tombstone or an empty record is no snapshot; it must not displace one that waits to be built.
            LOG.warn("ignoring an empty record on the config topic");
            tables.unreadable().incrementAndGet();
            return;
        }
        if (waiting.getAndSet(json) != null) {
            tables.superseded().incrementAndGet();
        } else {
            builder.execute(this::buildNewest);
        }
    }

    private void buildNewest() {
        String json = waiting.getAndSet(null);
        if (json == null) {
            return;
        }
        long started = System.nanoTime();
        MeshSnapshot snapshot;
        try {
            snapshot = decoder.decode(json);
        } catch (RuntimeException e) {
            LOG.errorf("ignoring an unreadable snapshot: %s", e.getMessage());
            tables.unreadable().incrementAndGet();
            return;
        }
        try {
            apply(snapshot, started);
        } catch (RuntimeException e) {
            LOG.errorf(e, "generation %d could not be applied; still running %d", snapshot.generation(),
                    tables.get().generation());
            tables.unreadable().incrementAndGet();
        }
    }

    /** Builds and installs {@code snapshot} (builder thread only), unless the node already runs it or newer. */
    private void apply(MeshSnapshot snapshot, long started) {
        RouteTable current = tables.get();
        if (snapshot.generation() <= current.generation()) {
            return;
        }
        RouteTable table = factory.build(snapshot, new Destinations(random, System::nanoTime, telemetry,
                current.carryOver()), current).withBuildMillis((System.nanoTime() - started) / 1_000_000);
        // New ports open before the table that routes them is visible; removed ones close after it is gone.
        var both = new TreeMap<>(current.listeners());
        both.putAll(table.listeners());
        listeners.reconcile(both);
        if (tables.swapIfNewer(table)) {
            listeners.reconcile(table.listeners());
            LOG.infof("applied generation %d in %d ms: %d listeners, %d tcp routes, %d http ports; virtual hosts "
                    + "%d compiled, %d reused", table.generation(), table.build().buildMillis(),
                    table.listeners().size(), table.routes().size(), table.http().size(),
                    table.build().hostsCompiled(), table.build().hostsReused());
            status.report();
        }
    }

    @PreDestroy
    void stop() {
        builder.shutdownNow();
    }
}
