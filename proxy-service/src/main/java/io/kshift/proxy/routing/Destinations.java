package io.kshift.proxy.routing;

import io.kshift.model.istio.OutlierDetection;
import io.kshift.model.registry.ResolvedDestination;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Makes the per-table endpoint state of a destination: its upstreams, the load balancer over them and, when the
 * DestinationRule asks for it, outlier detection. Randomness and the clock are injected, for deterministic tests.
 */
public record Destinations(RandomGenerator random, LongSupplier nanoClock) {

    public EndpointPicker picker(ResolvedDestination d) {
        List<Upstream> upstreams = d.endpoints().stream().map(Upstream::new).toList();
        OutlierDetection od = d.policy() == null ? null : d.policy().outlierDetection();
        return new EndpointPicker(upstreams, d.loadBalancer(), random,
                od == null ? null : new OutlierDetector(upstreams, od, nanoClock));
    }
}
