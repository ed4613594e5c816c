package io.kshift.proxy.routing;

import io.kshift.model.registry.ResolvedDestination;
import io.kshift.proxy.telemetry.StatsRef;
import io.kshift.proxy.telemetry.TrafficStats;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A weighted destination of a listener route: what it is (service, subset, version), its endpoints, how many
 * connections this table has sent it (a statistic, not config: it lets an operator check the split per node), and
 * how many are open now, against the DestinationRule's {@code connectionPool.tcp.maxConnections}.
 */
public record RouteTarget(ResolvedDestination destination, int weight, EndpointPicker endpoints, StatsRef statsRef,
                          LongAdder connections, AtomicInteger open, int maxConnections,
                          io.kshift.proxy.tls.UpstreamTls tls) {

    /** {@code tls}: TLS this node originates toward the destination (DestinationRule {@code tls}); null: none. */
    public RouteTarget(ResolvedDestination destination, int weight, Destinations.Shared shared, StatsRef stats,
                       io.kshift.proxy.tls.UpstreamTls tls) {
        this(destination, weight, shared.endpoints(), stats, new LongAdder(), shared.openConnections(),
                maxConnections(destination), tls);
    }

    /** Stats with a connection opened on them, for it to report to until it closes ({@link StatsRef#open}). */
    public TrafficStats openConnection() {
        return statsRef.open();
    }

    /** This destination's traffic stats on the route's listener (made by the first connection). */
    public TrafficStats stats() {
        return statsRef.get();
    }

    /** Takes a connection slot; false when the destination already has {@code maxConnections} open. */
    public boolean admit() {
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            return false;
        }
        return true;
    }

    public void release() {
        open.decrementAndGet();
    }

    private static int maxConnections(ResolvedDestination d) {
        var pool = d.policy() == null ? null : d.policy().connectionPool();
        Integer max = pool == null || pool.tcp() == null ? null : pool.tcp().maxConnections();
        return max == null || max == 0 ? Integer.MAX_VALUE : max;
    }
}
