package io.kshift.proxy.routing;

import io.kshift.model.istio.OutlierDetection;
import io.kshift.model.registry.ResolvedDestination;
import io.kshift.proxy.telemetry.Telemetry;
import io.kshift.proxy.telemetry.TrafficStats;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Makes the per-table state of a destination: its upstreams, the load balancer over them and, when the
 * DestinationRule asks for it, outlier detection; and finds its traffic stats in the node's catalogue, once per
 * table build. Randomness and the clock are injected, for deterministic tests.
 */
public record Destinations(RandomGenerator random, LongSupplier nanoClock, Telemetry telemetry) {

    /** The traffic stats of a destination on a listener ({@code tcp:31400}, {@code http:31080}, {@code mesh}). */
    public TrafficStats stats(ResolvedDestination d, String listener, String protocol, boolean shadow) {
        return telemetry.stats(d, listener, protocol, shadow);
    }

    public EndpointPicker picker(ResolvedDestination d) {
        List<Upstream> upstreams = d.endpoints().stream().map(Upstream::new).toList();
        OutlierDetection od = d.policy() == null ? null : d.policy().outlierDetection();
        return new EndpointPicker(upstreams, d.loadBalancer(), random,
                od == null ? null : new OutlierDetector(upstreams, od, nanoClock));
    }
}
