package io.kshift.proxy.lifecycle;

import io.kshift.proxy.config.RouteTableHolder;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the node runs at least the generation that was live on the bus when it started (its listeners are
 * bound) and its start-up warm-up is over (so the first clients find a compiled data path), and not ready again
 * from the moment it starts shutting down: load balancers and Kubernetes send a new node connections only when it
 * can route them quickly, and stop before it drains.
 */
@Readiness
@ApplicationScoped
public class NodeReadiness implements HealthCheck {
    private final RouteTableHolder tables;
    private final io.kshift.proxy.config.LiveAtStart liveAtStart;
    private volatile boolean shuttingDown;

    private final io.kshift.proxy.warmup.WarmUp warmUp;

    NodeReadiness(RouteTableHolder tables, io.kshift.proxy.warmup.WarmUp warmUp,
                  io.kshift.proxy.config.LiveAtStart liveAtStart) {
        this.tables = tables;
        this.warmUp = warmUp;
        this.liveAtStart = liveAtStart;
    }

    void shuttingDown() {
        shuttingDown = true;
    }

    @Override
    public HealthCheckResponse call() {
        long target = liveAtStart.generation();
        long running = tables.get().generation();
        return HealthCheckResponse.named("proxy-node")
                .status(!shuttingDown && target >= 0 && running >= target && warmUp.finished())
                .withData("generation", running).withData("warmedUp", warmUp.finished()).withData("liveAtStart", target)
                .withData("shuttingDown", shuttingDown).build();
    }
}
