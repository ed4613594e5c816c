package io.kshift.proxy.routing;

import io.kshift.model.registry.ResolvedDestination;
import java.util.concurrent.atomic.LongAdder;

/**
 * A weighted destination of a listener route: what it is (service, subset, version), its endpoints, and how many
 * connections this table has sent it (a statistic, not config: it lets an operator check the split per node).
 */
public record RouteTarget(ResolvedDestination destination, int weight, EndpointPicker endpoints,
                          LongAdder connections) {

    public RouteTarget(ResolvedDestination destination, int weight, EndpointPicker endpoints) {
        this(destination, weight, endpoints, new LongAdder());
    }
}
