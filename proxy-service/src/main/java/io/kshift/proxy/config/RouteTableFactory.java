package io.kshift.proxy.config;

import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.ResourceKey;
import io.kshift.proxy.routing.Destinations;
import io.kshift.proxy.routing.RouteTable;
import io.kshift.proxy.routing.RouteTableBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** How this node turns a config into a route table: {@link RouteTableBuilder}, as a bean a test can slow down. */
@ApplicationScoped
public class RouteTableFactory {
    /** {@code changedKeys}: where {@code config} differs from {@code previous}'s, or null when not known. */
    public RouteTable build(long generation, MeshConfig config, List<ResourceKey> changedKeys,
                            Destinations destinations, RouteTable previous) {
        return RouteTableBuilder.build(generation, config, changedKeys, destinations, previous);
    }
}
