package io.kshift.validator.rules;

import io.kshift.model.gateway.KubeGatewaySpec;
import io.kshift.model.gateway.Listener;
import io.kshift.model.istio.GatewaySpec;
import io.kshift.model.istio.Server;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import io.kshift.model.routing.BoundRoute;
import io.kshift.model.routing.HttpBindings;
import io.kshift.model.routing.ListenerBinding;
import io.kshift.model.routing.ListenerBindings;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gateway rules: every Gateway declares at least one served port; one port has one protocol and, since TCP cannot
 * tell connections apart by host, one gateway and one route.
 */
final class GatewayRules {
    static final Set<String> SERVED_PROTOCOLS = Set.of("TCP", "HTTP", "HTTP2", "HTTPS", "TLS");

    private GatewayRules() {
    }

    /**
     * The Gateway CRD's own rules on listeners, for a Gateway being written: each listener's port, protocol and
     * hostname together are unique (two HTTPS listeners for one name on one port served an arbitrary one's
     * certificate), TCP and UDP listeners take no hostname (they cannot see one), and a hostname is a lower-case name
     * or a {@code *.} wildcard.
     */
    static void listenerSchema(Resource gw, Findings findings) {
        List<Listener> listeners = gw.specAs(KubeGatewaySpec.class).listeners();
        Map<String, String> seen = new java.util.HashMap<>();
        for (int i = 0; i < listeners.size(); i++) {
            Listener l = listeners.get(i);
            String at = "spec.listeners[" + i + "]";
            String protocol = l.protocol() == null ? "" : l.protocol().toUpperCase(java.util.Locale.ROOT);
            String other = seen.putIfAbsent(l.port() + "/" + protocol + "/" + l.hostname(), l.name());
            if (other != null) {
                findings.error(gw.key(), at, "listener '" + l.name() + "' has the port, protocol and hostname of"
                        + " listener '" + other + "': the combination must be unique for each listener");
            }
            if (l.hostname() != null && (protocol.equals("TCP") || protocol.equals(ListenerBindings.UDP))) {
                findings.error(gw.key(), at + ".hostname", "must not be set for protocol " + protocol + ": a "
                        + protocol + " listener cannot tell connections apart by host name");
            } else if (l.hostname() != null && !BackendTlsPolicyRules.hostname(l.hostname(), true)) {
                findings.error(gw.key(), at + ".hostname", "'" + l.hostname() + "' is not a lower-case host name or a"
                        + " '*.' wildcard");
            }
        }
    }

    static void check(MeshConfig config, Map<Integer, ListenerBinding> bindings,
                      java.util.Set<io.kshift.model.resource.ResourceKey> touched, Findings findings) {
        for (Resource gw : config.ofKind(Kind.GATEWAY)) {
            List<Server> servers = gw.specAs(GatewaySpec.class).servers();
            if (servers.isEmpty()) {
                findings.error(gw.key(), "spec.servers", "at least one server is required");
            }
            for (int i = 0; i < servers.size(); i++) {
                if (servers.get(i).hosts().isEmpty()) {
                    findings.error(gw.key(), "spec.servers[" + i + "].hosts", "at least one host is required");
                }
                protocol(gw, "spec.servers[" + i + "].port.protocol", servers.get(i).port().protocol(), findings);
            }
        }
        for (Resource gw : config.ofKind(Kind.KUBE_GATEWAY)) {
            List<Listener> listeners = gw.specAs(KubeGatewaySpec.class).listeners();
            if (listeners.isEmpty()) {
                findings.error(gw.key(), "spec.listeners", "at least one listener is required");
            }
            Set<String> names = new HashSet<>();
            for (int i = 0; i < listeners.size(); i++) {
                if (!names.add(listeners.get(i).name())) {
                    findings.error(gw.key(), "spec.listeners[" + i + "].name",
                            "duplicate listener name '" + listeners.get(i).name() + "'");
                }
                String protocol = listeners.get(i).protocol();
                if (!ListenerBindings.UDP.equalsIgnoreCase(protocol)) { // UDP: Gateway API listeners only
                    protocol(gw, "spec.listeners[" + i + "].protocol", protocol, findings);
                }
                allowedRoutes(gw, "spec.listeners[" + i + "].allowedRoutes", listeners.get(i), findings);
            }
            allowedListeners(gw, findings);
            infrastructure(gw, findings);
        }
        List<MeshConfig> views = io.kshift.model.routing.GatewaySelection.nodeViews(config);
        Set<String> mixedPorts = new HashSet<>();
        for (MeshConfig view : views) {
            // Ports are one node's: Gateways that no node serves together may each claim one.
            (view == config ? bindings : ListenerBindings.compute(view)).values().forEach(b -> checkPort(b, findings));
            ListenerBindings.udp(view).values().forEach(b -> checkPort(b, findings));
            io.kshift.model.routing.TlsBindings.compute(view).values()
                    .forEach(port -> TlsRules.mixed(port, touched, mixedPorts, findings));
        }
        TlsRules.check(config, findings);
        Map<Integer, List<HttpBindings.VirtualHost>> gatewayHosts = HttpBindings.gateways(config);
        gatewayHosts.forEach((port, hosts) -> shadowedHosts("port " + port, port, hosts, false, findings));
        shadowedHosts("the mesh port", -1, HttpBindings.mesh(config), true, findings);
        shadowedTcp(config, findings);
        var redirects = io.kshift.model.routing.TlsBindings.httpsRedirects(config);
        gatewayHosts.forEach((port, hosts) -> {
            if (hosts.isEmpty() && !redirects.containsKey(port)) {
                ListenerBinding.Declaration first = bindings.get(port).declarations().get(0);
                findings.warn(first.gateway(), first.field(), "no http route serves port " + port
                        + "; requests to it will get 404");
            }
        });
    }

    /**
     * Several resources for one host on one listener merge (VirtualServices oldest first with their catch-all
     * routes last, then Gateway API routes by precedence); what a merge leaves unreachable is said: on the mesh
     * port a second VirtualService for a host (Istio's sidecars take the oldest), a VirtualService's catch-all
     * after an older one's, and Gateway API routes after a VirtualService's catch-all. Hosts are compared as the
     * proxies compare them: by every name they answer to ({@link io.kshift.model.routing.HostNames#expand}).
     */
    private static void shadowedHosts(String listener, int port, List<HttpBindings.VirtualHost> hosts, boolean mesh,
                                      Findings findings) {
        java.util.Map<String, HttpBindings.VirtualHost> firstService = new java.util.HashMap<>();
        java.util.Map<String, String> catchAll = new java.util.HashMap<>();
        for (HttpBindings.VirtualHost vh : hosts) {
            String own = vh.ranked() ? null : catchAllRoute(vh, port);
            for (String domain : new java.util.LinkedHashSet<>(vh.domains())) {
                for (String name : io.kshift.model.routing.HostNames.expand(domain, vh.namespace())) {
                    if (shadowed(listener, vh, domain, name, own, mesh, firstService, catchAll, findings)) {
                        break;
                    }
                }
            }
        }
    }

    /** Whether {@code vh}'s routes for {@code name} were said to be unreachable (once per domain is enough). */
    private static boolean shadowed(String listener, HttpBindings.VirtualHost vh, String domain, String name,
                                    String own, boolean mesh, java.util.Map<String, HttpBindings.VirtualHost> first,
                                    java.util.Map<String, String> catchAll, Findings findings) {
        String earlier = catchAll.get(name);
        if (vh.ranked()) {
            if (earlier != null) {
                findings.warn(vh.source(), vh.field(), "host '" + domain + "' on " + listener + ": these routes"
                        + " are never reached, " + earlier + " matches every request first");
                return true;
            }
            return false;
        }
        HttpBindings.VirtualHost owner = first.putIfAbsent(name, vh);
        if (owner != null && owner.source().equals(vh.source())) {
            return false; // the same VirtualService through another gateway of this port
        }
        if (mesh && owner != null) {
            findings.warn(vh.source(), "spec.hosts", "host '" + domain + "' on " + listener + " is already"
                    + " served by the older " + owner.source() + "; as with Istio's sidecars, only the oldest"
                    + " VirtualService for a host applies on the mesh port (gateways merge them)");
            return true;
        }
        if (own != null && earlier != null) {
            findings.warn(vh.source(), own, "host '" + domain
                    + "' on " + listener + ": this route matches every request, and so does " + earlier
                    + ", which is older: merged, catch-all routes go last in age order, so this one is never"
                    + " reached");
            return true;
        }
        if (own != null) {
            catchAll.put(name, vh.source() + " " + own);
        }
        return false;
    }

    /** The field of a VirtualService's first route that matches every request on {@code port}; else null. */
    private static String catchAllRoute(HttpBindings.VirtualHost vh, int port) {
        for (int i = 0; i < vh.routes().size(); i++) {
            io.kshift.model.istio.HttpRoute route = vh.routes().get(i);
            if (route.match().isEmpty() || route.match().stream().anyMatch(m -> vh.admits(m.gateways())
                    && io.kshift.model.routing.RoutePrecedence.catchAll(m, port))) {
                return vh.fieldOf(i);
            }
        }
        return null;
    }

    /**
     * ListenerSets are not served, so the permission {@code allowedListeners} gives is used by none: said, not
     * refused (the Gateway's own listeners are served as they are).
     */
    private static void allowedListeners(Resource gw, Findings findings) {
        var allowed = gw.specAs(KubeGatewaySpec.class).allowedListeners();
        var ns = allowed == null ? null : allowed.namespaces();
        if (ns == null) {
            return;
        }
        var from = ns.from() == null ? KubeGatewaySpec.ListenerNamespaces.From.None : ns.from();
        if (from == KubeGatewaySpec.ListenerNamespaces.From.Selector && ns.selector() == null) {
            findings.error(gw.key(), "spec.allowedListeners.namespaces.selector", "is required with from: Selector");
        } else if (from != KubeGatewaySpec.ListenerNamespaces.From.Selector && ns.selector() != null) {
            findings.error(gw.key(), "spec.allowedListeners.namespaces.selector", "applies only with from: Selector");
        } else if (from != KubeGatewaySpec.ListenerNamespaces.From.None) {
            findings.warn(gw.key(), "spec.allowedListeners", "ListenerSets are not served by this kshift version,"
                    + " so no ListenerSet adds listeners to this Gateway; its own listeners are served");
        }
    }

    /** Labels and annotations for per-Gateway resources: kshift creates none, so they label nothing; said. */
    private static void infrastructure(Resource gw, Findings findings) {
        var infra = gw.specAs(KubeGatewaySpec.class).infrastructure();
        if (infra != null && (!infra.labels().isEmpty() || !infra.annotations().isEmpty())) {
            findings.warn(gw.key(), "spec.infrastructure", "kshift proxies are one shared fleet and create nothing"
                    + " per Gateway (no Service, no Deployment), so these labels and annotations are kept but label"
                    + " nothing");
        }
    }

    private static void protocol(Resource gw, String field, String protocol, Findings findings) {
        if (protocol != null && !SERVED_PROTOCOLS.contains(protocol.toUpperCase(java.util.Locale.ROOT))) {
            findings.error(gw.key(), field, "protocol " + protocol + " is not served by this kshift version;"
                    + " served: " + SERVED_PROTOCOLS + (field.startsWith("spec.listeners") ? " and UDP" : ""));
        }
    }

    /** The route kinds a listener of each served protocol takes (Gateway API: listed kinds must suit it). */
    private static final java.util.Map<String, Set<String>> ROUTE_KINDS = java.util.Map.of("TCP", Set.of("TCPRoute"),
            "UDP", Set.of("UDPRoute"),
            "HTTP", Set.of("HTTPRoute", "GRPCRoute"), "HTTP2", Set.of("HTTPRoute", "GRPCRoute"),
            "HTTPS", Set.of("HTTPRoute", "GRPCRoute"),
            "TLS", Set.of("TLSRoute", "TCPRoute"));

    /** Whether a listener of {@code protocol} takes routes of {@code kind}. */
    static boolean takes(String protocol, String kind) {
        return ROUTE_KINDS.getOrDefault(protocol == null ? "" : protocol.toUpperCase(java.util.Locale.ROOT), Set.of())
                .contains(kind);
    }

    private static void allowedRoutes(Resource gw, String field, Listener l, Findings findings) {
        if (l.allowedRoutes() == null) {
            return;
        }
        Listener.RouteNamespaces ns = l.allowedRoutes().namespaces();
        if (ns != null && ns.from() == Listener.From.Selector && ns.selector() == null) {
            findings.error(gw.key(), field + ".namespaces.selector", "is required with from: Selector (it selects the"
                    + " namespaces by the labels of their Namespace objects)");
        } else if (ns != null && ns.from() != Listener.From.Selector && ns.selector() != null) {
            findings.error(gw.key(), field + ".namespaces.selector", "applies only with from: Selector");
        }
        String protocol = l.protocol() == null ? "" : l.protocol().toUpperCase(java.util.Locale.ROOT);
        Set<String> takes = ROUTE_KINDS.getOrDefault(protocol, Set.of());
        for (int j = 0; j < l.allowedRoutes().kinds().size(); j++) {
            Listener.RouteGroupKind k = l.allowedRoutes().kinds().get(j);
            String at = field + ".kinds[" + j + "]";
            if (k.group() != null && !k.group().equals(Listener.RouteGroupKind.GATEWAY_API_GROUP)) {
                findings.error(gw.key(), at + ".group", "routes of group " + k.group() + " are not served; route"
                        + " kinds are of " + Listener.RouteGroupKind.GATEWAY_API_GROUP);
            } else if (!takes.isEmpty() && !takes.contains(k.kind())) {
                findings.error(gw.key(), at + ".kind", "a " + protocol + " listener takes " + takes + ", not "
                        + k.kind());
            }
        }
    }

    /**
     * A TCP server port of an Istio Gateway carries one route: the oldest VirtualService's (Istio's choice too), of
     * those the server's hosts admit. A newer VirtualService's tcp route for it, or one the server's hosts do not
     * admit (another namespace's, say), serves nothing there, which its author should hear.
     */
    private static void shadowedTcp(MeshConfig config, Findings findings) {
        Map<String, io.kshift.model.resource.ResourceKey> owner = new java.util.HashMap<>();
        for (Resource vs : config.oldestFirst(Kind.VIRTUAL_SERVICE)) {
            var spec = vs.specAs(io.kshift.model.istio.VirtualServiceSpec.class);
            if (spec.tcp().isEmpty()) {
                continue;
            }
            for (String ref : spec.gateways()) {
                var gateway = RouteRules.gateway(config, ref, vs.namespace());
                var key = gateway.map(Resource::key).orElse(null);
                for (Server server : gateway.map(gw -> gw.specAs(GatewaySpec.class).servers()).orElse(List.of())) {
                    int port = server.port().number();
                    int route = "TCP".equalsIgnoreCase(server.port().protocol())
                            ? ListenerBindings.tcpRoute(spec, vs.namespace(), key, port) : -1;
                    if (route >= 0 && !ListenerBindings.admits(server.hosts(), spec, vs.namespace(), key)) {
                        findings.warn(vs.key(), "spec.tcp[" + route + "]", "TCP port " + port + " of " + key
                                + " takes VirtualServices its server's hosts " + server.hosts() + " admit; this one"
                                + " (namespace " + vs.namespace() + ", hosts " + spec.hosts() + ") is not, and its"
                                + " route serves nothing there");
                        continue;
                    }
                    var first = route < 0 ? null : owner.putIfAbsent(key + ":" + port, vs.key());
                    if (first != null && !first.equals(vs.key())) {
                        findings.warn(vs.key(), "spec.tcp[" + route + "]", "TCP port " + port + " of " + key
                                + " is routed by the older " + first + " (a TCP port takes the oldest"
                                + " VirtualService's route, as in Istio): this route serves nothing there");
                    }
                }
            }
        }
    }

    private static void checkPort(ListenerBinding binding, Findings findings) {
        ListenerBinding.Declaration first = binding.declarations().get(0);
        String l4 = first.protocol();
        if (!"TCP".equals(l4) && !ListenerBindings.UDP.equals(l4)) {
            // HTTP ports are shared by host, TLS and HTTPS ports by SNI: several gateways and routes may declare
            // one, with one protocol.
            for (ListenerBinding.Declaration d : binding.declarations().subList(1, binding.declarations().size())) {
                if (!d.protocol().equals(first.protocol()) && !(HttpBindings.HTTP_PROTOCOLS.contains(d.protocol())
                        && HttpBindings.HTTP_PROTOCOLS.contains(first.protocol()))) {
                    findings.error(d.gateway(), d.field(), "port " + binding.port() + " is already claimed with protocol "
                            + first.protocol() + " by " + first.gateway() + " " + first.field());
                }
            }
            return;
        }
        for (ListenerBinding.Declaration d : binding.declarations().subList(1, binding.declarations().size())) {
            if (!d.protocol().equals(first.protocol())) {
                findings.error(d.gateway(), d.field(), "port " + binding.port() + " is already claimed with protocol "
                        + first.protocol() + " by " + first.gateway() + " " + first.field());
            } else if (!d.gateway().equals(first.gateway()) || !d.field().equals(first.field())) {
                findings.error(d.gateway(), d.field(), "port " + binding.port() + " is already claimed by "
                        + first.gateway() + " " + first.field() + "; a " + l4 + " port belongs to one gateway listener");
            }
        }
        if (binding.routes().size() > 1) {
            BoundRoute owner = binding.routes().get(0);
            for (BoundRoute r : binding.routes().subList(1, binding.routes().size())) {
                findings.error(r.source(), r.field(), "port " + binding.port() + " is already routed by "
                        + owner.source() + " " + owner.field() + "; a " + l4 + " port has one route");
            }
        }
        if (binding.routes().isEmpty()) {
            findings.warn(first.gateway(), first.field(), "no route is attached to " + (ListenerBindings.UDP.equals(l4)
                    ? "UDP port " + binding.port() + "; datagrams to it will be dropped"
                    : "port " + binding.port() + "; connections to it will be closed"));
        }
    }
}
