package io.kshift.proxy.config;

import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.ResourceKey;
import io.kshift.proxy.routing.Destinations;
import io.kshift.proxy.routing.RouteTable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import java.util.List;

/** A route table build that takes {@link #MILLIS} (enabled by {@link SlowBuildTest}'s profile only). */
@Alternative
@ApplicationScoped
public class SlowRouteTableFactory extends RouteTableFactory {
    static final long MILLIS = 2500;
    /** The generations builds have started on, in order: a test waits for one before sending the next. */
    static final java.util.concurrent.BlockingQueue<Long> STARTED = new java.util.concurrent.LinkedBlockingQueue<>();

    public SlowRouteTableFactory() {
        super(java.util.Optional.empty());
    }

    @Override
    public RouteTable build(long generation, MeshConfig config, List<ResourceKey> changedKeys,
                            Destinations destinations, RouteTable previous) {
        STARTED.add(generation);
        try {
            Thread.sleep(MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return super.build(generation, config, changedKeys, destinations, previous);
    }
}
