package io.kshift.proxy.routing;

import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.registry.DestinationResolver;
import io.kshift.model.registry.ResolvedDestination;
import io.kshift.proxy.http.CompiledHosts;
import io.kshift.proxy.http.VirtualHostTable;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything a proxy node routes by, built from one snapshot and never changed: TCP listener ports and, per port,
 * the route (absent when a gateway declares a port with no route attached); HTTP listener ports with their
 * virtual hosts; and the mesh listener's virtual hosts. Swapped whole on a newer generation. {@code carryOver}
 * (per-destination state, pickers) and {@code hosts} (compiled virtual hosts) are what the next build may keep;
 * {@code build} says how this one went; {@code config} and {@code resolver} are what it was built from, so the next
 * build can tell which services a change affects.
 */
public record RouteTable(long generation, Map<Integer, ListenerRoute> routes, Set<Integer> ports,
                         Map<Integer, VirtualHostTable> http, VirtualHostTable mesh,
                         Destinations.CarryOver carryOver, CompiledHosts hosts, BuildReport build,
                         MeshConfig config, DestinationResolver resolver) {

    public static RouteTable empty() {
        MeshConfig none = MeshConfig.empty();
        return new RouteTable(0, Map.of(), Set.of(), Map.of(), VirtualHostTable.EMPTY, Destinations.CarryOver.NONE,
                CompiledHosts.NONE, BuildReport.NONE, none, new DestinationResolver(none));
    }

    /** The per-destination state (endpoints, ejections, circuit-breaker slots) of every destination routed to. */
    public Map<ResolvedDestination, Destinations.Shared> destinations() {
        return carryOver.destinations();
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

    public RouteTable withBuildMillis(long millis) {
        return new RouteTable(generation, routes, ports, http, mesh, carryOver, hosts, build.withMillis(millis), config,
                resolver);
    }
}
