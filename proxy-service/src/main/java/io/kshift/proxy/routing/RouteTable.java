package io.kshift.proxy.routing;

import io.kshift.proxy.http.VirtualHostTable;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything a proxy node routes by, built from one snapshot and never changed: TCP listener ports and, per port,
 * the route (absent when a gateway declares a port with no route attached); HTTP listener ports with their
 * virtual hosts; and the mesh listener's virtual hosts. Swapped whole on a newer generation. {@code destinations}
 * is the per-destination state (endpoints, ejections, circuit-breaker slots) the next table carries over.
 */
public record RouteTable(long generation, Map<Integer, ListenerRoute> routes, Set<Integer> ports,
                         Map<Integer, VirtualHostTable> http, VirtualHostTable mesh,
                         Map<io.kshift.model.registry.ResolvedDestination, Destinations.Shared> destinations) {

    public static RouteTable empty() {
        return new RouteTable(0, Map.of(), Set.of(), Map.of(), VirtualHostTable.EMPTY, Map.of());
    }

    /** Every data port this table serves, with what it speaks. */
    public Map<Integer, ListenerProtocol> listeners() {
        Map<Integer, ListenerProtocol> out = new java.util.TreeMap<>();
        ports.forEach(p -> out.put(p, ListenerProtocol.TCP));
        http.keySet().forEach(p -> out.put(p, ListenerProtocol.HTTP));
        return out;
    }

    public Optional<ListenerRoute> route(int port) {
        return Optional.ofNullable(routes.get(port));
    }
}
