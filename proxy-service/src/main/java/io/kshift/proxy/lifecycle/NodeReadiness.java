package io.kshift.proxy.lifecycle;

import io.kshift.model.event.MeshTopics;
import io.kshift.model.event.SnapshotLoader;
import io.kshift.proxy.config.RouteTableHolder;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Ready once the node runs at least the generation that was live on the bus when it started (its listeners are
 * bound) and its start-up warm-up is over (so the first clients find a compiled data path), and not ready again
 * from the moment it starts shutting down: load balancers and Kubernetes send a new node connections only when it
 * can route them quickly, and stop before it drains.
 */
@Readiness
@ApplicationScoped
public class NodeReadiness implements HealthCheck {
    private static final Logger LOG = Logger.getLogger(NodeReadiness.class);
    private final RouteTableHolder tables;
    private final io.kshift.model.bus.BusConnection bus;
    /** The newest generation on kshift.config when the node started; -1 until read. */
    private final AtomicLong liveAtStart = new AtomicLong(-1);
    private volatile boolean shuttingDown;

    private final io.kshift.proxy.warmup.WarmUp warmUp;

    NodeReadiness(RouteTableHolder tables, io.kshift.proxy.warmup.WarmUp warmUp,
                  @io.smallrye.common.annotation.Identifier("default-kafka-broker")
                  java.util.Map<String, Object> kafka) {
        this.tables = tables;
        this.warmUp = warmUp;
        this.bus = io.kshift.model.bus.BusConnection.of(kafka);
    }

    void start(@Observes StartupEvent ev) {
        Thread reader = new Thread(this::readLiveGeneration, "live-generation");
        reader.setDaemon(true);
        reader.start();
    }

    void shuttingDown() {
        shuttingDown = true;
    }

    @Override
    public HealthCheckResponse call() {
        long target = liveAtStart.get();
        long running = tables.get().generation();
        return HealthCheckResponse.named("proxy-node")
                .status(!shuttingDown && target >= 0 && running >= target && warmUp.finished())
                .withData("generation", running).withData("warmedUp", warmUp.finished()).withData("liveAtStart", target)
                .withData("shuttingDown", shuttingDown).build();
    }

    private void readLiveGeneration() {
        while (liveAtStart.get() < 0) {
            try {
                liveAtStart.set(newestGeneration());
            } catch (RuntimeException e) {
                LOG.debugf("cannot read %s yet (%s); retrying", MeshTopics.CONFIG, e.toString());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private long newestGeneration() {
        return new SnapshotLoader(bus, MeshTopics.CONFIG).latest().generation();
    }
}
