package io.kshift.model.routing;

import io.kshift.model.gateway.BackendRef;
import io.kshift.model.gateway.KubeGatewaySpec;
import io.kshift.model.gateway.Listener;
import io.kshift.model.gateway.ParentReference;
import io.kshift.model.gateway.TcpRouteRule;
import io.kshift.model.gateway.TcpRouteSpec;
import io.kshift.model.istio.Destination;
import io.kshift.model.istio.GatewaySpec;
import io.kshift.model.istio.HttpRoute;
import io.kshift.model.istio.HttpRouteDestination;
import io.kshift.model.istio.L4MatchAttributes;
import io.kshift.model.istio.RouteDestination;
import io.kshift.model.istio.Server;
import io.kshift.model.istio.TcpRoute;
import io.kshift.model.istio.VirtualServiceSpec;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import io.kshift.model.resource.ResourceKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Which routes serve which gateway port. Istio: a Gateway server declares a port; a VirtualService naming that
 * gateway attaches its first {@code tcp} route whose match fits the port. Gateway API: a Gateway listener declares
 * a port; a TCPRoute whose parentRef names the Gateway (and listener by {@code sectionName}) attaches its first
 * rule. Shared by the validator (conflicts, dangling references) and the proxy (its listeners).
 */
public final class ListenerBindings {
    /** The protocol of UDP listeners, whose ports are a space of their own. */
    public static final String UDP = "UDP";

    private ListenerBindings() {
    }

    /** The TCP port space: every gateway port but UDP listeners' (which {@link #udp} has). */
    public static Map<Integer, ListenerBinding> compute(MeshConfig config) {
        return compute(config, false);
    }

    /**
     * The UDP port space: Gateway API UDP listeners and the UDPRoutes attached to them (the first rule of each). A
     * UDP port may share its number with a TCP one: they are different sockets.
     */
    public static Map<Integer, ListenerBinding> udp(MeshConfig config) {
        return compute(config, true);
    }

    private static Map<Integer, ListenerBinding> compute(MeshConfig config, boolean udp) {
        Map<Integer, List<ListenerBinding.Declaration>> declarations = new TreeMap<>();
        Map<Integer, List<BoundRoute>> routes = new TreeMap<>();
        for (Resource gw : udp ? List.<Resource>of() : config.ofKind(Kind.GATEWAY)) {
            List<Server> servers = gw.specAs(GatewaySpec.class).servers();
            for (int i = 0; i < servers.size(); i++) {
                int port = servers.get(i).port().number();
                declarations.computeIfAbsent(port, p -> new ArrayList<>()).add(new ListenerBinding.Declaration(
                        gw.key(), "spec.servers[" + i + "].port", upper(servers.get(i).port().protocol())));
                istioRoute(config, gw.key(), servers.get(i).hosts(), port).ifPresent(r -> routes.computeIfAbsent(port, p -> new ArrayList<>())
                        .add(r));
            }
        }
        for (Resource gw : config.ofKind(Kind.KUBE_GATEWAY)) {
            List<Listener> listeners = gw.specAs(KubeGatewaySpec.class).listeners();
            for (int i = 0; i < listeners.size(); i++) {
                Listener l = listeners.get(i);
                if (UDP.equals(upper(l.protocol())) != udp) {
                    continue;
                }
                declarations.computeIfAbsent(l.port(), p -> new ArrayList<>()).add(new ListenerBinding.Declaration(
                        gw.key(), "spec.listeners[" + i + "]", upper(l.protocol())));
                List<BoundRoute> attached = udp ? l4Routes(config, gw, l, Kind.UDP_ROUTE)
                        : "TCP".equals(upper(l.protocol())) ? l4Routes(config, gw, l, Kind.TCP_ROUTE) : List.of();
                for (BoundRoute r : attached) {
                    routes.computeIfAbsent(l.port(), p -> new ArrayList<>()).add(r);
                }
            }
        }
        Map<Integer, ListenerBinding> out = new TreeMap<>();
        declarations.forEach((port, decls) -> out.put(port,
                new ListenerBinding(port, List.copyOf(decls), List.copyOf(routes.getOrDefault(port, List.of())))));
        return out;
    }

    private static String upper(String protocol) {
        return protocol == null ? "" : protocol.toUpperCase(Locale.ROOT);
    }

    /** Whether a VirtualService {@code gateways} entry names this gateway ({@link io.kshift.model.istio.GatewayRefs}). */
    public static boolean names(String reference, String fromNamespace, ResourceKey gateway) {
        for (io.kshift.model.istio.GatewayRefs.Name n : io.kshift.model.istio.GatewayRefs.candidates(reference,
                fromNamespace)) {
            if (gateway.namespace().equals(n.namespace()) && gateway.name().equals(n.name())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The oldest VirtualService's first tcp route for the gateway's port (Istio takes the oldest, too), among those
     * the server's {@code hosts} admit: as for HTTP, a server's {@code ns/host} entries decide which namespaces'
     * VirtualServices it takes, and a VirtualService whose hosts meet none of the server's takes nothing there
     * (Istio's {@code pickMatchingGatewayHosts} in {@code buildGatewayNetworkFiltersFromTCPRoutes}).
     */
    private static Optional<BoundRoute> istioRoute(MeshConfig config, ResourceKey gateway, List<String> serverHosts,
                                                   int port) {
        for (Resource vs : GatewayBound.virtualServices(config, gateway)) {
            VirtualServiceSpec spec = vs.specAs(VirtualServiceSpec.class);
            int i = admits(serverHosts, spec, vs.namespace(), gateway) ? tcpRoute(spec, vs.namespace(), gateway, port)
                    : -1;
            if (i >= 0) {
                return Optional.of(new BoundRoute(vs.key(), "spec.tcp[" + i + "]",
                        istioTargets(spec.tcp().get(i), vs.namespace(), "spec.tcp[" + i + "]")));
            }
        }
        return Optional.empty();
    }

    /** Whether a gateway server's {@code hosts} take a VirtualService of {@code namespace} with these hosts. */
    public static boolean admits(List<String> serverHosts, VirtualServiceSpec spec, String namespace,
                                 ResourceKey gateway) {
        return !HttpBindings.admitted(spec.hosts(), serverHosts, namespace, gateway.namespace()).isEmpty();
    }

    /** The index of the VirtualService's first tcp route for the gateway's port, or -1. */
    public static int tcpRoute(VirtualServiceSpec spec, String namespace, ResourceKey gateway, int port) {
        for (int i = 0; i < spec.tcp().size(); i++) {
            if (matches(spec.tcp().get(i), namespace, gateway, port)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean matches(TcpRoute route, String namespace, ResourceKey gateway, int port) {
        if (route.match().isEmpty()) {
            return true;
        }
        for (L4MatchAttributes m : route.match()) {
            boolean portOk = m.port() == null || m.port() == port;
            boolean gatewayOk = m.gateways().isEmpty() || m.gateways().stream().anyMatch(g -> names(g, namespace, gateway));
            if (portOk && gatewayOk) {
                return true;
            }
        }
        return false;
    }

    /** The weighted targets of a VirtualService tcp route written at {@code field}, seen from its namespace. */
    public static List<WeightedTarget> istioTargets(TcpRoute route, String namespace, String field) {
        return istioTargets(route.route().stream().map(RouteDestination::destination).toList(),
                route.route().stream().map(RouteDestination::weight).toList(), namespace, field);
    }

    /** The weighted targets of a VirtualService http route written at {@code field}, seen from its namespace. */
    public static List<WeightedTarget> istioTargets(HttpRoute route, String namespace, String field) {
        return istioTargets(route.route().stream().map(HttpRouteDestination::destination).toList(),
                route.route().stream().map(HttpRouteDestination::weight).toList(), namespace, field);
    }

    /** The weighted targets of a VirtualService tls route written at {@code field}, seen from its namespace. */
    public static List<WeightedTarget> istioTargets(io.kshift.model.istio.TlsRoute route, String namespace,
                                                    String field) {
        return istioTargets(route.route().stream().map(RouteDestination::destination).toList(),
                route.route().stream().map(RouteDestination::weight).toList(), namespace, field);
    }

    private static List<WeightedTarget> istioTargets(List<Destination> dests, List<Integer> weights,
                                                     String namespace, String field) {
        List<WeightedTarget> targets = new ArrayList<>();
        for (int i = 0; i < dests.size(); i++) {
            // Istio: a lone destination takes all traffic whatever its weight; otherwise an absent weight is 0.
            int weight = dests.size() == 1 ? 1 : weights.get(i) == null ? 0 : weights.get(i);
            targets.add(target(field + ".route[" + i + "]", weight, dests.get(i), namespace));
        }
        return targets;
    }

    /** One Istio destination (a route's or a mirror's) written at {@code field}, seen from its namespace. */
    public static WeightedTarget target(String field, int weight, Destination d, String namespace) {
        Integer port = d.port() == null ? null : d.port().number();
        return new WeightedTarget(field, weight, d.host(), d.subset(), port, namespace, false);
    }

    private static List<BoundRoute> l4Routes(MeshConfig config, Resource gateway, Listener listener, Kind kind) {
        List<BoundRoute> out = new ArrayList<>();
        var labels = NamespaceLabels.of(config);
        // Oldest first: the first is the port's route, and the validator's "already routed" lands on the newer.
        for (Resource route : config.oldestFirst(kind)) {
            TcpRouteSpec spec = l4Spec(route);
            if (spec.rules().isEmpty() || !listener.admitsNamespace(gateway.namespace(), route.namespace(), labels)
                    || !listener.admitsKind(route.type().kindName())) {
                continue;
            }
            boolean attached = spec.parentRefs().stream().anyMatch(p -> attaches(p, route.namespace(), gateway, listener));
            if (attached) {
                List<WeightedTarget> targets = backendTargets(spec.rules().get(0), route.namespace());
                out.add(new BoundRoute(route.key(), "spec.rules[0]", targets));
            }
        }
        return out;
    }

    /** A TCPRoute's or UDPRoute's parents and rules (the two have one shape). */
    public static TcpRouteSpec l4Spec(Resource route) {
        if (route.type() == Kind.UDP_ROUTE) {
            var udp = route.specAs(io.kshift.model.gateway.UdpRouteSpec.class);
            return new TcpRouteSpec(udp.parentRefs(), udp.rules());
        }
        return route.specAs(TcpRouteSpec.class);
    }

    /** The weighted targets of a TCPRoute's (first) rule: Services by namespace/name, Gateway API weights. */
    public static List<WeightedTarget> backendTargets(TcpRouteRule rule, String routeNamespace) {
        return backendTargets(rule.backendRefs(), routeNamespace, "spec.rules[0].backendRefs");
    }

    /** Gateway API backendRefs written at {@code field}: Services by namespace/name, Gateway API weights. */
    public static List<WeightedTarget> backendTargets(List<BackendRef> refs, String routeNamespace, String field) {
        List<WeightedTarget> targets = new ArrayList<>();
        for (int i = 0; i < refs.size(); i++) {
            targets.add(backendTarget(refs.get(i), routeNamespace, field + "[" + i + "]"));
        }
        return targets;
    }

    public static WeightedTarget backendTarget(BackendRef b, String routeNamespace, String field) {
        return new WeightedTarget(field, b.effectiveWeight(), b.name(), null, b.port(),
                b.namespace() == null ? routeNamespace : b.namespace(), true);
    }

    /** Gateway API attachment: same Gateway, and the listener named by sectionName / port when given. */
    public static boolean attaches(ParentReference ref, String routeNamespace, Resource gateway, Listener listener) {
        String ns = ref.namespace() == null ? routeNamespace : ref.namespace();
        boolean gatewayKind = ref.kind() == null || "Gateway".equals(ref.kind());
        return gatewayKind && ns.equals(gateway.namespace()) && ref.name().equals(gateway.name())
                && (ref.sectionName() == null || ref.sectionName().equals(listener.name()))
                && (ref.port() == null || ref.port().equals(listener.port()));
    }
}
