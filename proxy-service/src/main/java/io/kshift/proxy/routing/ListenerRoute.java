package io.kshift.proxy.routing;

import io.kshift.model.resource.ResourceKey;
import java.util.List;

/**
 * The route a listener port serves: where it was written, its targets, and the exact weighted picker over them;
 * {@code idle}: the destinations it names at weight 0 (no new connection goes there; a UDP session there goes on).
 */
public record ListenerRoute(int port, ResourceKey source, List<RouteTarget> targets, WeightedPicker picker,
                            java.util.Set<io.kshift.model.registry.ResolvedDestination.Key> idle) {

    public ListenerRoute(int port, ResourceKey source, List<RouteTarget> targets, WeightedPicker picker) {
        this(port, source, targets, picker, java.util.Set.of());
    }

    /** Whether the route names {@code destination}, at any weight. */
    public boolean names(io.kshift.model.registry.ResolvedDestination.Key destination) {
        return idle.contains(destination) || targets.stream().anyMatch(t -> t.destination().key().equals(destination));
    }

    /** The destination for a new connection; null for the share of one this node could not resolve. */
    public RouteTarget pick() {
        int i = picker.pick();
        return i < targets.size() ? targets.get(i) : null;
    }
}
