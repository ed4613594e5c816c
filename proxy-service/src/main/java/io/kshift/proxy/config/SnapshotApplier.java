package io.kshift.proxy.config;

import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.proxy.routing.RouteTable;
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
    private final RandomGenerator random = new SecureRandom();

    public SnapshotApplier(RouteTableHolder tables, ListenerManager listeners, StatusReporter status) {
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
        RouteTable table = RouteTableBuilder.build(snapshot, random);
        // New ports open before the table that routes them is visible; removed ones close after it is gone.
        listeners.reconcile(java.util.stream.Stream.concat(table.ports().stream(), tables.get().ports().stream())
                .collect(java.util.stream.Collectors.toSet()));
        if (tables.swapIfNewer(table)) {
            listeners.reconcile(table.ports());
            LOG.infof("applied generation %d: %d listeners, %d routes", table.generation(), table.ports().size(),
                    table.routes().size());
            status.report();
        }
    }
}
