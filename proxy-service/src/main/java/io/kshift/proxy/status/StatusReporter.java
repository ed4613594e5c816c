package io.kshift.proxy.status;

import io.kshift.model.event.EventCodec;
import io.kshift.model.event.ProxyStatus;
import io.kshift.model.event.Schemas;
import io.kshift.proxy.config.NodeIdentity;
import io.kshift.proxy.config.RouteTableHolder;
import io.kshift.proxy.tcp.ListenerManager;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.reactive.messaging.kafka.Record;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.jboss.logging.Logger;

/**
 * Channel {@code status} → topic {@code kshift.proxy-status}, key nodeId: what this node runs, on every apply and
 * as a heartbeat. Heartbeats have a thread of their own: a route-table build, a busy worker pool or a slow
 * report of another kind never holds one back, so a node that is building is never taken for a dead one. With
 * Kafka down a report is dropped and counted; serving traffic never waits for the bus.
 */
@ApplicationScoped
public class StatusReporter {
    private static final Logger LOG = Logger.getLogger(StatusReporter.class);

    private final StatusChannel channel;
    private final NodeIdentity node;
    private final RouteTableHolder tables;
    private final ListenerManager listeners;
    private final io.kshift.proxy.udp.UdpProxy udp;
    private final Vertx vertx;
    private final long heartbeatMillis;
    private final String adminAddress;
    private final String dataHost;
    private final AtomicLong dropped = new AtomicLong();

    public StatusReporter(@Channel("status") Emitter<Record<String, String>> emitter, NodeIdentity node,
                          RouteTableHolder tables, ListenerManager listeners, io.kshift.proxy.udp.UdpProxy udp,
                          Vertx vertx,
                          @ConfigProperty(name = "kshift.proxy.heartbeat-ms", defaultValue = "5000") long heartbeatMillis,
                          @ConfigProperty(name = "quarkus.http.host", defaultValue = "0.0.0.0") String host,
                          @ConfigProperty(name = "quarkus.http.port", defaultValue = "15000") int port,
                          @ConfigProperty(name = "kshift.proxy.bind-host", defaultValue = "0.0.0.0") String dataHost) {
        this.udp = udp;
        this.channel = new StatusChannel(emitter);
        this.node = node;
        this.tables = tables;
        this.listeners = listeners;
        this.vertx = vertx;
        this.heartbeatMillis = heartbeatMillis;
        this.adminAddress = host + ":" + port;
        this.dataHost = dataHost;
    }

    private java.util.concurrent.ScheduledExecutorService heartbeats;

    void start(@Observes StartupEvent event) {
        heartbeats = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kshift-heartbeat");
            t.setDaemon(true);
            return t;
        });
        heartbeats.scheduleAtFixedRate(this::heartbeat, 0, heartbeatMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private void heartbeat() {
        try {
            report();
        } catch (RuntimeException e) {
            // A failed heartbeat must not cancel the schedule (an executor drops a task that throws).
            LOG.warnf(e, "heartbeat failed");
        }
    }

    /** A clean shutdown leaves a tombstone, so the node drops out of the fleet view instead of going NOT_SEEN. */
    void stop(@Observes io.quarkus.runtime.ShutdownEvent event) {
        if (heartbeats != null) {
            heartbeats.shutdownNow();
        }
        try {
            channel.close(node.nodeId()).toCompletableFuture().get(2, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debugf("no tombstone for %s: %s", node.nodeId(), e.getMessage());
        }
    }

    public ProxyStatus current() {
        var table = tables.get();
        return new ProxyStatus(Schemas.PROXY_STATUS, node.nodeId(), table.generation(), listenerNames(),
                node.startedAt(), Instant.now(), adminAddress, dataHost, node.labels(), table.build().buildMillis(),
                tables.superseded().get());
    }

    public void report() {
        try {
            var sent = channel.report(node.nodeId(), () -> EventCodec.encode(current()));
            if (sent != null) {
                sent.whenComplete((ok, failure) -> {
                    if (failure != null) {
                        dropped.incrementAndGet();
                    }
                });
            }
        } catch (RuntimeException e) {
            // Emitter buffer full: Kafka has been unreachable for a while.
            long n = dropped.incrementAndGet();
            LOG.debugf("status report dropped (%d so far): %s", n, e.getMessage());
        }
    }

    public long droppedReports() {
        return dropped.get();
    }

    /** TCP, TLS and HTTP listeners, then UDP ones. */
    private java.util.List<String> listenerNames() {
        java.util.List<String> udpNames = udp.listeners();
        if (udpNames.isEmpty()) {
            return listeners.listeners();
        }
        java.util.List<String> all = new java.util.ArrayList<>(listeners.listeners());
        all.addAll(udpNames);
        return all;
    }
}
