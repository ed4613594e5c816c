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
 * virtual hosts; the mesh listener's virtual hosts; and UDP ports with their routes ({@code udp}, a port space of
 * its own). Swapped whole on a newer generation. {@code carryOver}
 * (per-destination state, pickers) and {@code hosts} (compiled virtual hosts) are what the next build may keep;
 * {@code build} says how this one went; {@code config} and {@code resolver} are what it was built from, so the next
 * build can tell which services a change affects.
 */
public record RouteTable(long generation, Map<Integer, ListenerRoute> routes, Set<Integer> ports,
                         Map<Integer, VirtualHostTable> http, VirtualHostTable mesh,
                         Destinations.CarryOver carryOver, CompiledHosts hosts, BuildReport build,
                         MeshConfig config, DestinationResolver resolver, Tls tls,
                         Map<Integer, ListenerRoute> udp) {

    /**
     * TLS: the SNI-routed ports with their chains; the HTTP ports' hosts redirected to https; the HTTP ports that must terminate TLS ({@code httpsPorts}) and,
     * where their certificates opened, with what ({@code https}: a port in the first and not here is not opened,
     * never served in the clear); and every TLS context built, for the next build to reuse.
     */
    public record Tls(Map<Integer, io.kshift.proxy.tls.TlsPortTable> ports, Set<Integer> httpsPorts,
                      Map<Integer, io.kshift.proxy.tls.ServerTls> https,
                      Map<io.kshift.proxy.tls.ServerTls, io.kshift.proxy.tls.ServerTls> contexts,
                      Map<Integer, java.util.List<String>> httpsRedirects,
                      Map<io.kshift.proxy.tls.UpstreamTls, io.kshift.proxy.tls.UpstreamTls> upstream) {
        public static final Tls NONE = new Tls(Map.of(), Set.of(), Map.of(), Map.of(), Map.of(), Map.of());

        Tls withUpstream(Map<io.kshift.proxy.tls.UpstreamTls, io.kshift.proxy.tls.UpstreamTls> built) {
            return new Tls(ports, httpsPorts, https, contexts, httpsRedirects, built);
        }
    }

    public static RouteTable empty() {
        MeshConfig none = MeshConfig.empty();
        return new RouteTable(0, Map.of(), Set.of(), Map.of(), VirtualHostTable.EMPTY, Destinations.CarryOver.NONE,
                CompiledHosts.NONE, BuildReport.NONE, none, new DestinationResolver(none), Tls.NONE, Map.of());
    }

    /** A TLS port's chains. */
    public Optional<io.kshift.proxy.tls.TlsPortTable> tls(int port) {
        return Optional.ofNullable(tls.ports().get(port));
    }

    /** The per-destination state (endpoints, ejections, circuit-breaker slots) of every destination routed to. */
    public Map<ResolvedDestination, Destinations.Shared> destinations() {
        return carryOver.destinations();
    }

    /** Every data port this table serves, with what it speaks (an HTTPS port whose certificates did not open: none). */
    public Map<Integer, ListenerSpec> listeners() {
        Map<Integer, ListenerSpec> out = new java.util.TreeMap<>();
        ports.forEach(p -> out.put(p, ListenerSpec.of(ListenerProtocol.TCP)));
        for (Integer p : http.keySet()) {
            if (!tls.httpsPorts().contains(p)) {
                out.put(p, ListenerSpec.of(ListenerProtocol.HTTP));
            } else if (tls.https().containsKey(p)) {
                out.put(p, new ListenerSpec(ListenerProtocol.HTTP, tls.https().get(p)));
            }
        }
        tls.ports().forEach((p, table) -> out.put(p, ListenerSpec.tls(table)));
        return out;
    }

    /** A UDP port's route (UDP ports are a space of their own: {@link #udp}). */
    public Optional<ListenerRoute> udpRoute(int port) {
        return Optional.ofNullable(udp.get(port));
    }

    public Optional<ListenerRoute> route(int port) {
        return Optional.ofNullable(routes.get(port));
    }

    public RouteTable withBuildMillis(long millis) {
        return new RouteTable(generation, routes, ports, http, mesh, carryOver, hosts, build.withMillis(millis), config,
                resolver, tls, udp);
    }
}
