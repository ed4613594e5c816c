package io.kshift.proxy.config;

import io.kshift.model.event.MeshSnapshot;
import io.kshift.proxy.routing.Destinations;
import io.kshift.proxy.routing.RouteTable;
import io.kshift.proxy.routing.RouteTableBuilder;
import jakarta.enterprise.context.ApplicationScoped;

/** How this node turns a snapshot into a route table: {@link RouteTableBuilder}, as a bean a test can slow down. */
@ApplicationScoped
public class RouteTableFactory {
    public RouteTable build(MeshSnapshot snapshot, Destinations destinations, RouteTable previous) {
        return RouteTableBuilder.build(snapshot, destinations, previous);
    }
}
