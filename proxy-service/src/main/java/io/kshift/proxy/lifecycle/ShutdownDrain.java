package io.kshift.proxy.lifecycle;

import io.kshift.proxy.config.RouteTableHolder;
import io.kshift.proxy.telemetry.Telemetry;
import io.kshift.proxy.telemetry.TrafficStats;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * A node that is told to stop (SIGTERM: scale-in, rolling update, `docker compose stop`) first reports not ready,
 * then lets its live TCP connections and HTTP requests finish, up to {@code kshift.proxy.drain-timeout}, before the
 * listeners close them: scaling the fleet in does not cut what ends within the deadline, as a weight change never
 * does. TCP connections are counted by the telemetry catalogue (every destination ever routed to), requests in
 * flight by the live route table's circuit-breaker counters, which every request already holds a slot of.
 * The orchestrator's grace period must be longer than the deadline.
 */
@ApplicationScoped
public class ShutdownDrain {
    private static final Logger LOG = Logger.getLogger(ShutdownDrain.class);
    private final NodeReadiness readiness;
    private final Telemetry telemetry;
    private final RouteTableHolder tables;
    private final Duration deadline;

    ShutdownDrain(@Readiness NodeReadiness readiness, Telemetry telemetry, RouteTableHolder tables,
                  @ConfigProperty(name = "kshift.proxy.drain-timeout", defaultValue = "30s") Duration deadline) {
        this.readiness = readiness;
        this.telemetry = telemetry;
        this.tables = tables;
        this.deadline = deadline;
    }

    void drain(@Observes @Priority(1) ShutdownEvent ev) throws InterruptedException {
        readiness.shuttingDown();
        long open = active();
        if (open == 0) {
            return;
        }
        LOG.infof("stopping: %d connections and requests drain for up to %s", open, deadline);
        long until = System.nanoTime() + deadline.toNanos();
        while ((open = active()) > 0 && System.nanoTime() < until) {
            Thread.sleep(100);
        }
        LOG.infof("stopping with %d connections and requests still open", open);
    }

    private long active() {
        long tcp = telemetry.all().stream().mapToLong(TrafficStats::activeConnections).sum();
        long http = tables.get().destinations().values().stream().mapToLong(s -> s.activeRequests().get()).sum();
        return tcp + http;
    }
}
