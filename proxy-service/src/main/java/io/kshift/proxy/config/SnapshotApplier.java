package io.kshift.proxy.config;

import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.proxy.routing.Destinations;
import io.kshift.proxy.routing.RouteTable;
import io.kshift.proxy.telemetry.Telemetry;
import io.kshift.proxy.routing.RouteTableBuilder;
import io.kshift.proxy.status.StatusReporter;
import io.kshift.proxy.tcp.ListenerManager;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.util.random.RandomGenerator;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Channel {@code config} ← topic {@code kshift.config}. Each node reads the compacted topic from the start with a
 * group of its own that never commits, so a restarted node always finds the newest snapshot. A newer generation
 * becomes a route table, listeners follow it, the table is swapped in atomically, and the node reports it.
 */
@ApplicationScoped
public class SnapshotApplier {
    private static final Logger LOG = Logger.getLogger(SnapshotApplier.class);

    private final RouteTableHolder tables;
    private final ListenerManager listeners;
    private final StatusReporter status;
    private final Telemetry telemetry;
    private final RandomGenerator random = new SecureRandom();

    public SnapshotApplier(RouteTableHolder tables, ListenerManager listeners, StatusReporter status,
                           Telemetry telemetry) {
        this.telemetry = telemetry;
        this.tables = tables;
        this.listeners = listeners;
        this.status = status;
    }

    @Incoming("config")
    @Blocking
    public void onSnapshot(String json) {
        MeshSnapshot snapshot;
        try {
            snapshot = EventCodec.decode(json, MeshSnapshot.class);
        } catch (RuntimeException e) {
            LOG.errorf("ignoring an unreadable snapshot: %s", e.getMessage());
            return;
        }
        apply(snapshot);
    }

    public void apply(MeshSnapshot snapshot) {
        if (snapshot.generation() <= tables.get().generation()) {
            return;
        }
        RouteTable table = RouteTableBuilder.build(snapshot, new Destinations(random, System::nanoTime, telemetry,
                tables.get().destinations()));
        // New ports open before the table that routes them is visible; removed ones close after it is gone.
        var both = new java.util.TreeMap<>(tables.get().listeners());
        both.putAll(table.listeners());
        listeners.reconcile(both);
        if (tables.swapIfNewer(table)) {
            listeners.reconcile(table.listeners());
            LOG.infof("applied generation %d: %d listeners, %d tcp routes, %d http ports", table.generation(),
                    table.listeners().size(), table.routes().size(), table.http().size());
            status.report();
        }
    }
}
