package io.kshift.proxy.routing;

import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.registry.AffectedServices;
import io.kshift.model.registry.DestinationResolver;
import io.kshift.model.registry.ResolvedDestination;
import io.kshift.model.routing.BoundRoute;
import io.kshift.model.routing.ListenerBinding;
import io.kshift.model.routing.ListenerBindings;
import io.kshift.model.routing.WeightedTarget;
import io.kshift.proxy.http.HttpTableBuilder;
import io.kshift.proxy.telemetry.Telemetry;
import io.kshift.model.routing.NodeScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * The one place a snapshot becomes a {@link RouteTable}, in time linear in the config: one indexed resolver for TCP
 * and HTTP alike, and from the previous table whatever did not change (destination state, pickers, compiled
 * virtual hosts). Trusts validated input: the validator already proved every bound target resolves; a target that
 * somehow does not is left out rather than failing the whole table.
 */
public final class RouteTableBuilder {
    private RouteTableBuilder() {
    }

    /** A table whose stats go to a catalogue of its own (tests and tools); nodes pass theirs. */
    public static RouteTable build(MeshSnapshot snapshot, RandomGenerator random) {
        return build(snapshot, new Destinations(random, System::nanoTime, Telemetry.detached()));
    }

    public static RouteTable build(MeshSnapshot snapshot, Destinations destinations) {
        return build(snapshot, destinations, RouteTable.empty());
    }

    /**
     * {@code destinations} carries the state of {@code previous} ({@link RouteTable#carryOver()}); {@code previous}
     * also offers its compiled virtual hosts for reuse.
     */
    public static RouteTable build(MeshSnapshot snapshot, Destinations destinations, RouteTable previous) {
        return build(snapshot.generation(), MeshConfig.of(snapshot.resources()), null, destinations, previous);
    }

    /**
     * {@code changedKeys}: where {@code config} differs from {@code previous}'s, when the caller knows (a snapshot
     * delta); null to find out.
     */
    public static RouteTable build(long generation, MeshConfig config,
                                   List<io.kshift.model.resource.ResourceKey> changedKeys, Destinations destinations,
                                   RouteTable previous) {
        return build(generation, config, changedKeys, destinations, previous,
                io.kshift.model.secret.FleetKeys.none());
    }

    /** {@code keys}: the fleet key ring that opens Secrets' private keys, for TLS that terminates here. */
    public static RouteTable build(long generation, MeshConfig config,
                                   List<io.kshift.model.resource.ResourceKey> changedKeys, Destinations destinations,
                                   RouteTable previous, io.kshift.model.secret.FleetKeys keys) {
        return build(generation, config, changedKeys, destinations, previous, keys, NodeScope.EVERYWHERE);
    }

    /**
     * {@code node}: whose view of the config the table is built from: what is exported to its namespace, the
     * Istio Gateways that select it, the Sidecar that applies to its mesh port. The table keeps the whole
     * {@code config}, which the next snapshot's delta applies to.
     */
    public static RouteTable build(long generation, MeshConfig config,
                                   List<io.kshift.model.resource.ResourceKey> changedKeys, Destinations destinations,
                                   RouteTable previous, io.kshift.model.secret.FleetKeys keys, NodeScope node) {
        MeshConfig visible = node.visible(config);
        MeshConfig here = node.served(visible);
        destinations.at(node.locality());
        boolean first = previous.generation() == 0;
        List<io.kshift.model.resource.ResourceKey> changed = first ? List.of()
                : changedKeys != null ? changedKeys : previous.config().changedKeys(config);
        // Built from the visible config: a DestinationRule or ServiceEntry not exported here does not apply here, nor
        // one whose workloadSelector does not select this node.
        DestinationResolver resolver = first ? new DestinationResolver(visible, node, config)
                : previous.resolver().after(visible, changed, config);
        io.kshift.proxy.tls.UpstreamTls.Factory upstreamTls = new io.kshift.proxy.tls.UpstreamTls.Factory(config,
                keys, previous.tls().upstream());
        Map<Integer, ListenerRoute> routes = new TreeMap<>();
        Set<Integer> ports = new TreeSet<>();
        for (ListenerBinding binding : ListenerBindings.compute(here).values()) {
            if (!"TCP".equals(binding.protocol())) {
                continue;
            }
            ports.add(binding.port());
            if (!binding.routes().isEmpty()) {
                // The port's Gateway (the first that declares it) presents its client certificate, if it has one.
                route("tcp", binding.port(), binding.routes().get(0), resolver, destinations, upstreamTls, true,
                        binding.declarations().get(0).gateway())
                        .ifPresent(r -> routes.put(binding.port(), r));
            }
        }
        Map<Integer, ListenerRoute> udp = new TreeMap<>();
        for (ListenerBinding binding : ListenerBindings.udp(here).values()) {
            if (!binding.routes().isEmpty()) {
                route("udp", binding.port(), binding.routes().get(0), resolver, destinations, null, false, null)
                        .ifPresent(r -> udp.put(binding.port(), r));
            }
        }
        RouteTable.Tls tls = tls(here, resolver, destinations, new io.kshift.proxy.tls.TlsCredentials(config, keys,
                previous.tls().contexts()), upstreamTls);
        // A Secret a DestinationRule's tls names, a CA bundle (Secret or ConfigMap) a BackendTLSPolicy names, or the
        // client certificate a Gateway presents to backends may have changed: destinations keep their keys, so every
        // destination is resolved again and every compiled virtual host that originates TLS is rebuilt rather than
        // finding out which ones use it (they change rarely).
        boolean secrets = changed.stream().anyMatch(k -> k.kind() == io.kshift.model.resource.Kind.SECRET
                || k.kind() == io.kshift.model.resource.Kind.CONFIG_MAP
                || k.kind() == io.kshift.model.resource.Kind.KUBE_GATEWAY
                && !backendCertificate(previous.config(), k).equals(backendCertificate(config, k)));
        AffectedServices affected = first || secrets ? AffectedServices.ALL
                : AffectedServices.between(previous.config(), previous.resolver(), config, resolver, changed);
        HttpTableBuilder http = new HttpTableBuilder(resolver, destinations, previous.hosts(), affected, upstreamTls,
                secrets);
        var gateways = http.gateways(here);
        // The first build has nothing to patch (no last mesh table): MeshPatch builds it whole.
        var mesh = http.mesh(here, node.sidecar(config), new HttpTableBuilder.Change(changed, previous.config(), config));
        BuildReport report = new BuildReport(http.compiledAfresh(), http.reused(), destinations.carried(),
                destinations.changed(), http.meshPatched(), 0);
        return new RouteTable(generation, Map.copyOf(routes), Set.copyOf(ports), gateways, mesh,
                destinations.state(), http.hosts(), report, config, resolver, tls.withUpstream(upstreamTls.built()),
                Map.copyOf(udp));
    }

    /**
     * TLS ports' chains with their routes and termination, and HTTPS ports' certificates. A chain whose certificates
     * do not open serves nothing (its connections are closed); an HTTPS port's, and the port is not opened.
     */
    private static RouteTable.Tls tls(MeshConfig config, DestinationResolver resolver, Destinations destinations,
                                      io.kshift.proxy.tls.TlsCredentials credentials,
                                      io.kshift.proxy.tls.UpstreamTls.Factory upstreamTls) {
        Map<Integer, io.kshift.proxy.tls.TlsPortTable> ports = new TreeMap<>();
        Set<Integer> httpsPorts = new TreeSet<>();
        Map<Integer, io.kshift.proxy.tls.ServerTls> https = new TreeMap<>();
        for (io.kshift.model.routing.TlsBindings.Port port : io.kshift.model.routing.TlsBindings.compute(config)
                .values()) {
            if (port.http()) {
                httpsPorts.add(port.port());
                credentials.of(port.chains().stream().filter(io.kshift.model.routing.TlsBindings.Chain::terminates)
                        .map(io.kshift.model.routing.TlsBindings.Chain::termination).toList())
                        .ifPresent(t -> https.put(port.port(), t));
                continue;
            }
            List<io.kshift.proxy.tls.TlsPortTable.Chain> chains = new ArrayList<>();
            for (io.kshift.model.routing.TlsBindings.Chain c : port.chains()) {
                io.kshift.proxy.tls.ServerTls termination = null;
                if (c.terminates()) {
                    Optional<io.kshift.proxy.tls.ServerTls> t = credentials.of(List.of(c.termination()));
                    if (t.isEmpty()) {
                        // Kept, with no route: its names' connections are closed, never taken by another chain.
                        chains.add(new io.kshift.proxy.tls.TlsPortTable.Chain(c.serverNames(), null, List.of()));
                        continue;
                    }
                    termination = t.get();
                }
                List<io.kshift.proxy.tls.TlsPortTable.SniRoute> routes = new ArrayList<>();
                for (io.kshift.model.routing.TlsBindings.SniRoute r : c.routes()) {
                    // Kept without a destination when none resolves here: its names' connections are closed (Envoy's
                    // filter chain stays and answers no healthy upstream), never taken by a broader route.
                    routes.add(new io.kshift.proxy.tls.TlsPortTable.SniRoute(r.sniHosts(), route("tls", port.port(),
                            new BoundRoute(r.source(), r.field(), r.targets()), resolver, destinations, upstreamTls,
                            termination != null, c.gateway()).orElse(null)));
                }
                chains.add(new io.kshift.proxy.tls.TlsPortTable.Chain(c.serverNames(), termination,
                        List.copyOf(routes)));
            }
            ports.put(port.port(), new io.kshift.proxy.tls.TlsPortTable(port.port(), List.copyOf(chains)));
        }
        return new RouteTable.Tls(Map.copyOf(ports), Set.copyOf(httpsPorts), Map.copyOf(https), credentials.built(),
                io.kshift.model.routing.TlsBindings.httpsRedirects(config), Map.of());
    }

    /** The client certificate a Gateway API Gateway presents to backends, if it is there and names one. */
    private static Optional<io.kshift.model.gateway.SecretObjectReference> backendCertificate(MeshConfig config,
            io.kshift.model.resource.ResourceKey gateway) {
        return config.get(gateway).flatMap(g -> io.kshift.model.gateway.GatewayTls.clientCertificate(
                g.specAs(io.kshift.model.gateway.KubeGatewaySpec.class).tls()));
    }

    /**
     * {@code protocol}: {@code tcp}, {@code tls} or {@code udp}; the listener is {@code protocol:port};
     * {@code backendPolicies}: whether BackendTLSPolicies apply (not to TLS passed through); {@code gateway}: whose
     * client certificate goes with their TLS.
     */
    private static Optional<ListenerRoute> route(String protocol, int port, BoundRoute bound,
                                                 DestinationResolver resolver, Destinations destinations,
                                                 io.kshift.proxy.tls.UpstreamTls.Factory upstreamTls,
                                                 boolean backendPolicies, io.kshift.model.resource.ResourceKey gateway) {
        String listener = protocol + ":" + port;
        List<RouteTarget> targets = new ArrayList<>();
        java.util.Set<ResolvedDestination.Key> idle = new java.util.HashSet<>();
        int lost = 0;
        for (WeightedTarget t : bound.targets()) {
            DestinationResolver.Result result = t.resolve(resolver);
            if (result.ok() && t.weight() == 0) {
                idle.add(result.destination().key());
            }
            if (result.ok() && t.weight() > 0) {
                ResolvedDestination d = result.destination();
                targets.add(new RouteTarget(d, t.weight(), destinations.shared(d),
                        destinations.stats(d, listener, protocol.equals("udp") ? "udp" : "tcp", false),
                        upstreamTls == null ? null : upstreamTls.of(d, backendPolicies, gateway)));
            } else if (t.weight() > 0) {
                lost += t.weight();
            }
        }
        if (targets.isEmpty()) {
            return Optional.empty();
        }
        // A destination this node cannot resolve keeps its share: those connections are closed (Envoy's missing
        // cluster), not moved to the others on this node alone.
        int[] weights = Destinations.withLost(targets.stream().mapToInt(RouteTarget::weight).toArray(), lost);
        Destinations.PickerKey key = new Destinations.PickerKey(listener, bound.source(), bound.field(),
                targets.stream().map(t -> t.destination().key()).toList(), Arrays.stream(weights).boxed().toList());
        return Optional.of(new ListenerRoute(port, bound.source(), List.copyOf(targets),
                destinations.weighted(key, weights), java.util.Set.copyOf(idle)));
    }
}
