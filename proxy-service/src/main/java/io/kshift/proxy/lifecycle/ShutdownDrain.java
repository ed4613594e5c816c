package io.kshift.proxy.lifecycle;

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
 * waits {@code kshift.proxy.drain-delay} (0 by default: Kubernetes stops sending before it signals, after the
 * manifests' preStop pause; a load balancer that polls readiness, as compose's HAProxy does every 2 s, needs its
 * fall time), then lets its live TCP connections and HTTP requests finish, up to {@code kshift.proxy.drain-timeout},
 * before the listeners close them: scaling the fleet in does not cut what ends within the deadline, as a weight
 * change never does. TCP connections are counted by the telemetry catalogue (every destination ever routed to; not
 * UDP sessions, which end only after idling), HTTP
 * exchanges node-wide from their start to their end ({@code HttpProxy.inFlight}: a request routed by an older table,
 * or waiting out a retry's backoff or a fault's delay, counts too). The orchestrator's grace period must be longer
 * than the delay and the deadline.
 */
@ApplicationScoped
public class ShutdownDrain {
    private static final Logger LOG = Logger.getLogger(ShutdownDrain.class);
    private final NodeReadiness readiness;
    private final Telemetry telemetry;
    private final io.kshift.proxy.http.HttpProxy http;
    private final io.kshift.proxy.http.HttpListenerSettings listeners;
    private final Duration delay;
    private final Duration deadline;

    ShutdownDrain(@Readiness NodeReadiness readiness, Telemetry telemetry, io.kshift.proxy.http.HttpProxy http,
                  io.kshift.proxy.http.HttpListenerSettings listeners,
                  @ConfigProperty(name = "kshift.proxy.drain-delay", defaultValue = "0s") Duration delay,
                  @ConfigProperty(name = "kshift.proxy.drain-timeout", defaultValue = "30s") Duration deadline) {
        this.readiness = readiness;
        this.telemetry = telemetry;
        this.http = http;
        this.listeners = listeners;
        this.delay = delay;
        this.deadline = deadline;
    }

    void drain(@Observes @Priority(1) ShutdownEvent ev) throws InterruptedException {
        readiness.shuttingDown();
        if (!delay.isZero()) {
            // Not ready, still serving: new connections keep coming until the load balancer has seen it.
            LOG.infof("stopping: not ready, serving on for %s while load balancers notice", delay);
            Thread.sleep(delay.toMillis());
        }
        // HTTP/2 clients are told to go: their next calls open a connection elsewhere, not here until the deadline.
        listeners.goAway(deadline);
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

    /**
     * TCP connections (TLS, upgraded HTTP) and HTTP exchanges in flight. Not UDP sessions: they end only after a
     * minute without datagrams, so one datagram served seconds before a stop held every stop to its deadline.
     */
    private long active() {
        long tcp = telemetry.all().stream().filter(s -> !"udp".equals(s.key().protocol()))
                .mapToLong(TrafficStats::activeConnections).sum();
        return tcp + http.inFlight();
    }
}
