package io.kshift.proxy.http;

import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.ResourceKey;
import io.kshift.proxy.config.RouteTableFactory;
import io.kshift.proxy.routing.Destinations;
import io.kshift.proxy.routing.RouteTable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import java.util.List;

/**
 * A route table build that throws on any config holding a resource named {@link #FAILS_ON}, as a builder bug would on
 * a config the validator accepted (enabled by {@link UnbuildableGenerationTest}'s profile only).
 */
@Alternative
@ApplicationScoped
public class FailingRouteTableFactory extends RouteTableFactory {
    static final String FAILS_ON = "svc-7";

    public FailingRouteTableFactory() {
        super(java.util.Optional.empty());
    }

    @Override
    public RouteTable build(long generation, MeshConfig config, List<ResourceKey> changedKeys,
                            Destinations destinations, RouteTable previous) {
        if (config.all().stream().anyMatch(r -> r.name().equals(FAILS_ON))) {
            throw new IllegalStateException("cannot build generation " + generation);
        }
        return super.build(generation, config, changedKeys, destinations, previous);
    }
}
