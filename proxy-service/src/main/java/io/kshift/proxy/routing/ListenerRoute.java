package io.kshift.proxy.routing;

import io.kshift.model.resource.ResourceKey;
import java.util.List;

/** The route a listener port serves: where it was written, its targets, and the exact weighted picker over them. */
public record ListenerRoute(int port, ResourceKey source, List<RouteTarget> targets, WeightedPicker picker) {

    /** The destination for a new connection; null for the share of one this node could not resolve. */
    public RouteTarget pick() {
        int i = picker.pick();
        return i < targets.size() ? targets.get(i) : null;
    }
}
