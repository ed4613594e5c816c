package io.kshift.proxy.routing;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything a proxy node routes by, built from one snapshot and never changed: listener ports and, per port, the
 * route (absent when a gateway declares a port with no route attached). Swapped whole on a newer generation.
 */
public record RouteTable(long generation, Map<Integer, ListenerRoute> routes, Set<Integer> ports) {

    public static RouteTable empty() {
        return new RouteTable(0, Map.of(), Set.of());
    }

    public Optional<ListenerRoute> route(int port) {
        return Optional.ofNullable(routes.get(port));
    }
}
