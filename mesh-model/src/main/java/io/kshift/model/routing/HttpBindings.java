package io.kshift.model.routing;

import io.kshift.model.gateway.HttpRouteSpec;
import io.kshift.model.gateway.KubeGatewaySpec;
import io.kshift.model.gateway.Listener;
import io.kshift.model.gateway.ParentReference;
import io.kshift.model.istio.GatewaySpec;
import io.kshift.model.istio.HttpRoute;
import io.kshift.model.istio.Server;
import io.kshift.model.istio.VirtualServiceSpec;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import io.kshift.model.resource.ResourceKey;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which http routes serve which HTTP port, by Host. Istio: a Gateway server with protocol HTTP declares a port; a
 * VirtualService naming that gateway serves its {@code hosts} there (those the server's {@code hosts} admit).
 * Gateway API: an HTTP listener declares a port; an HTTPRoute whose parentRef names it serves its
 * {@code hostnames} there, and so does a GRPCRoute (as the HTTPRoute it is served as; its backends speak HTTP/2).
 * The mesh port (no gateway) serves VirtualServices bound to {@code mesh}. Shared by the
 * validator and the proxy, like {@link ListenerBindings}.
 */
public final class HttpBindings {
    /** Gateway protocols served by the HTTP listener (HTTP/1.1 and cleartext HTTP/2 on one port). */
    public static final Set<String> HTTP_PROTOCOLS = Set.of("HTTP", "HTTP2");

    private HttpBindings() {
    }

    /**
     * One resource's routes for some hosts: {@code routes[i]} was written at {@code field + "[" + i + "]"}.
     * Domains are as written ({@code httpbin}, {@code *.example.com}, {@code *}); {@link HostNames} expands them.
     */
    public record VirtualHost(ResourceKey source, String namespace, List<String> domains, List<HttpRoute> routes,
                              String field, ResourceKey gateway, boolean grpc,
                              List<List<RoutePrecedence.Rank>> ranks, List<String> fields,
                              Map<Integer, RuleSession> sessions) {

        /**
         * A VirtualService's: its routes apply in the order written, delegations merged in ({@link Delegation}:
         * then {@code fields[i]} says where {@code routes[i]} came from).
         */
        public VirtualHost(ResourceKey source, String namespace, List<String> domains, Delegation.Expanded http,
                           ResourceKey gateway) {
            this(source, namespace, domains, http.routes(), "spec.http", gateway, false, List.of(), http.fields(),
                    Map.of());
        }

        /**
         * A Gateway API route's: {@code routes[i]} is {@code field[i]}, ranked by {@code ranks[i]}, its session
         * persistence {@code sessions.get(i)} (GEP-1619; the Istio route model has no such field).
         */
        public VirtualHost(ResourceKey source, String namespace, List<String> domains, List<HttpRoute> routes,
                           String field, ResourceKey gateway, boolean grpc, List<List<RoutePrecedence.Rank>> ranks,
                           Map<Integer, RuleSession> sessions) {
            this(source, namespace, domains, routes, field, gateway, grpc, ranks, List.of(), sessions);
        }

        /** Where {@code routes[i]} was written, for messages and to tell routes apart. */
        public String fieldOf(int i) {
            return fields.isEmpty() ? field + "[" + i + "]" : fields.get(i);
        }

        /**
         * Whether its routes are the Gateway API's: each match ranked ({@code ranks[rule][match]}, {@link
         * RoutePrecedence}) against every other for the host, not applied in the order written.
         */
        public boolean ranked() {
            return !ranks.isEmpty();
        }

        /**
         * Whether a match block's {@code gateways} admit this listener: none named admits any; otherwise it must
         * name this Istio gateway, or {@code mesh} on the mesh listener ({@code gateway} null).
         */
        public boolean admits(List<String> blockGateways) {
            if (blockGateways.isEmpty()) {
                return true;
            }
            return gateway == null ? blockGateways.contains(VirtualServiceSpec.MESH_GATEWAY)
                    : blockGateways.stream().anyMatch(g -> ListenerBindings.names(g, namespace, gateway));
        }
    }

    /**
     * The HTTP ports gateways declare, each with its virtual hosts: the VirtualServices' by Gateway, then the Gateway
     * API routes' oldest route first.
     */
    public static Map<Integer, List<VirtualHost>> gateways(MeshConfig config) {
        Map<Integer, List<VirtualHost>> out = new TreeMap<>();
        var labels = NamespaceLabels.of(config);
        List<Resource> routes = oldestFirst(GatewayApiHttp.routes(config));
        for (Resource gw : config.ofKind(Kind.GATEWAY)) {
            for (Server server : gw.specAs(GatewaySpec.class).servers()) {
                if (!servesHttp(server)) {
                    continue;
                }
                List<VirtualHost> hosts = out.computeIfAbsent(server.port().number(), p -> new ArrayList<>());
                for (Resource vs : GatewayBound.virtualServices(config, gw.key())) {
                    VirtualServiceSpec spec = vs.specAs(VirtualServiceSpec.class);
                    List<String> domains = admitted(spec.hosts(), server.hosts(), vs.namespace(), gw.namespace());
                    Delegation.Expanded http = !domains.isEmpty() ? Delegation.expand(config, vs) : null;
                    // As Istio: one whose routes are all delegated to nothing (yet) claims no host.
                    if (http != null && !http.routes().isEmpty()) {
                        hosts.add(new VirtualHost(vs.key(), vs.namespace(), domains, http, gw.key()));
                    }
                }
            }
        }
        for (Resource gw : config.ofKind(Kind.KUBE_GATEWAY)) {
            for (Listener l : gw.specAs(KubeGatewaySpec.class).listeners()) {
                if (servesHttp(l)) {
                    out.computeIfAbsent(l.port(), p -> new ArrayList<>());
                }
            }
        }
        gatewayApiHosts(config, routes, labels, (port, host) -> out.get(port).add(host), conflict -> { });
        return out;
    }

    /**
     * A route of one kind left out on a listener for an older route of the other kind whose hostnames overlap
     * with its own there (GEP-1016): {@code winner} is served.
     */
    public record KindConflict(ResourceKey route, ResourceKey winner, ResourceKey gateway, String listener) {
    }

    /** Every {@link KindConflict} of the config's Gateway API routes on Gateway listeners. */
    public static List<KindConflict> kindConflicts(MeshConfig config) {
        List<KindConflict> out = new ArrayList<>();
        gatewayApiHosts(config, oldestFirst(GatewayApiHttp.routes(config)), NamespaceLabels.of(config),
                (port, host) -> { }, out::add);
        return out;
    }

    /**
     * The Gateway API routes' virtual hosts on Gateway listeners, route by route, oldest first, whatever Gateway they
     * attach to: routes that tie in precedence on one host go by age (the API's rule), which the merge reads from
     * this order, never by their Gateways' names. On one listener an HTTPRoute and a GRPCRoute whose hostnames
     * overlap do not merge: the older is served, the other is not (GEP-1016: "Merging MUST not be done between
     * GRPCRoutes and HTTPRoutes"); without this, an HTTPRoute's catch-all took the gRPC calls.
     */
    private static void gatewayApiHosts(MeshConfig config, List<Resource> routes,
                                        java.util.function.Function<String, Map<String, String>> labels,
                                        java.util.function.BiConsumer<Integer, VirtualHost> served,
                                        java.util.function.Consumer<KindConflict> conflicts) {
        // By listener: the served hosts of each kind (GRPCRoutes being rare, a check against them is cheap).
        Map<String, List<VirtualHost>> grpcOn = new java.util.HashMap<>();
        Map<String, List<VirtualHost>> httpOn = new java.util.HashMap<>();
        for (Resource route : routes) {
            for (Resource gw : config.ofKind(Kind.KUBE_GATEWAY)) {
                for (Listener l : gw.specAs(KubeGatewaySpec.class).listeners()) {
                    if (!servesHttp(l)) {
                        continue;
                    }
                    VirtualHost host = httpRoute(route, gw, l, labels).orElse(null);
                    if (host == null) {
                        continue;
                    }
                    String listener = gw.key() + "/" + l.name();
                    List<VirtualHost> others = (host.grpc() ? httpOn : grpcOn).get(listener);
                    VirtualHost older = others == null ? null : others.stream()
                            .filter(o -> overlap(o.domains(), host.domains())).findFirst().orElse(null);
                    if (older != null) {
                        conflicts.accept(new KindConflict(route.key(), older.source(), gw.key(), l.name()));
                        continue;
                    }
                    (host.grpc() ? grpcOn : httpOn).computeIfAbsent(listener, k -> new ArrayList<>()).add(host);
                    served.accept(l.port(), host);
                }
            }
        }
    }

    /** Whether two hostname lists share a name some request could carry. */
    private static boolean overlap(List<String> a, List<String> b) {
        for (String x : a) {
            for (String y : b) {
                if (HostNames.matches(x, y) || HostNames.matches(y, x)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether a server serves http routes: HTTP, HTTP2, or HTTPS terminated here (not passed through). */
    public static boolean servesHttp(Server server) {
        String protocol = upper(server.port().protocol());
        return HTTP_PROTOCOLS.contains(protocol) || protocol.equals("HTTPS") && server.tls() != null
                && server.tls().effectiveMode() != io.kshift.model.istio.ServerTlsSettings.Mode.PASSTHROUGH;
    }

    /** Whether a listener serves HTTPRoutes: HTTP, or HTTPS terminated here. */
    public static boolean servesHttp(Listener l) {
        String protocol = upper(l.protocol());
        return HTTP_PROTOCOLS.contains(protocol) || protocol.equals("HTTPS") && l.tls() != null
                && l.tls().effectiveMode() == io.kshift.model.gateway.ListenerTls.Mode.Terminate;
    }

    /** VirtualServices for the mesh (no gateways, or {@code mesh} among them) with http routes. */
    public static List<VirtualHost> mesh(MeshConfig config) {
        List<VirtualHost> out = new ArrayList<>();
        for (Resource vs : config.oldestFirst(Kind.VIRTUAL_SERVICE)) {
            VirtualHost host = meshHost(config, vs);
            if (host != null) {
                out.add(host);
            }
        }
        // Gateway API mesh routing: an HTTPRoute whose parent is a Service in its own namespace serves that
        // Service's host (its hostnames do not apply to a Service parent), on the parentRef's port if it names one.
        Map<String, java.util.Set<Integer>> grpc = grpcMeshServices(config);
        for (Resource route : oldestFirst(GatewayApiHttp.routes(config))) {
            HttpRouteSpec spec = GatewayApiHttp.spec(route);
            List<String> services = meshDomains(config, route, ref -> route.type() == Kind.GRPC_ROUTE
                    || !conflicted(grpc, route.namespace(), ref));
            if (!services.isEmpty() && !spec.rules().isEmpty()) {
                List<HttpRoute> routes = spec.rules().stream()
                        .map(r -> GatewayApiHttp.toIstio(r, route.namespace())).toList();
                out.add(new VirtualHost(route.key(), route.namespace(), services, routes, "spec.rules", null,
                        route.type() == Kind.GRPC_ROUTE, RoutePrecedence.of(route), sessions(route.key(), spec)));
            }
        }
        return out;
    }

    /** The mesh virtual host of one VirtualService of {@code config}, or null when it serves none. */
    public static VirtualHost meshHost(MeshConfig config, Resource vs) {
        VirtualServiceSpec spec = vs.specAs(VirtualServiceSpec.class);
        boolean mesh = spec.gateways().isEmpty() || spec.gateways().contains(VirtualServiceSpec.MESH_GATEWAY);
        Delegation.Expanded http = mesh && !spec.http().isEmpty() && !Delegation.isDelegate(spec)
                ? Delegation.expand(config, vs) : null;
        return http != null && !http.routes().isEmpty()
                ? new VirtualHost(vs.key(), vs.namespace(), spec.hosts(), http, null) : null;
    }

    /** The Services of its own namespace a Gateway API route routes the mesh traffic of (its Service parents). */
    public static List<String> meshParents(Resource route) {
        return meshParentRefs(route).map(ParentReference::name).distinct().toList();
    }

    private static java.util.stream.Stream<ParentReference> meshParentRefs(Resource route) {
        return GatewayApiHttp.spec(route).parentRefs().stream().filter(HttpBindings::isServiceParent)
                .filter(p -> p.namespace() == null || p.namespace().equals(route.namespace()))
                .filter(p -> !p.name().contains("."));
    }

    /**
     * The names a Gateway API route's Service parents serve on the mesh port, the {@code taken} ones: a parentRef
     * with no port, the Service's name (every port); with a port, {@code name:port} (GEP-1426: that port only), and
     * the bare name too where it is the Service's only port, as a one-port Service's default route answers it. The
     * mesh port routes by Host, so a request to {@code reviews:9080} meets a route on port 9080 and one to
     * {@code reviews:9443} the Service's own default route.
     */
    static List<String> meshDomains(MeshConfig config, Resource route,
                                    java.util.function.Predicate<ParentReference> taken) {
        Set<String> out = new LinkedHashSet<>();
        meshParentRefs(route).map(ref -> byPort(config, route.namespace(), ref)).flatMap(java.util.Optional::stream)
                .filter(taken).forEach(ref -> {
            if (ref.port() == null) {
                out.add(ref.name());
                return;
            }
            out.add(ref.name() + ":" + ref.port());
            var service = config.get(new ResourceKey(Kind.SERVICE, route.namespace(), ref.name()))
                    .map(r -> r.specAs(io.kshift.model.k8s.ServiceSpec.class).ports());
            // A one-port Service's only port answers its bare name too (a Host without a port looks for port 80's
            // name as well: VirtualHostTable).
            if (service.isPresent() && service.get().size() == 1
                    && ref.port().equals(service.get().get(0).port())) {
                out.add(ref.name());
            }
        });
        // A name without a port covers every port: its ported forms add nothing.
        out.removeIf(d -> d.indexOf(':') > 0 && out.contains(d.substring(0, d.indexOf(':'))));
        return List.copyOf(out);
    }

    /**
     * The ports ({@code 0}: every port) of each Service ({@code ns/name}) a GRPCRoute with rules routes the mesh
     * traffic of. An HTTPRoute on the same Service and port is ignored for it ({@link #conflicted}).
     */
    public static Map<String, java.util.Set<Integer>> grpcMeshServices(MeshConfig config) {
        Map<String, java.util.Set<Integer>> out = new java.util.HashMap<>();
        for (Resource route : config.ofKind(Kind.GRPC_ROUTE)) {
            if (GatewayApiHttp.spec(route).rules().isEmpty()) {
                continue;
            }
            for (ParentReference named : GatewayApiHttp.spec(route).parentRefs()) {
                if (isServiceParent(named) && (named.namespace() == null
                        || named.namespace().equals(route.namespace()))) {
                    byPort(config, route.namespace(), named).ifPresent(ref -> out.computeIfAbsent(
                            route.namespace() + "/" + ref.name(), k -> new java.util.HashSet<>())
                            .add(ref.port() == null ? 0 : ref.port()));
                }
            }
        }
        return out;
    }

    /**
     * GEP-1426: a GRPCRoute and an HTTPRoute with one Service and port as parent conflict, and the GRPCRoute wins;
     * without a port a parentRef means every port of the Service.
     */
    public static boolean conflicted(Map<String, java.util.Set<Integer>> grpc, String namespace, ParentReference ref) {
        java.util.Set<Integer> ports = grpc.get(namespace + "/" + ref.name());
        return ports != null && (ref.port() == null || ports.contains(0) || ports.contains(ref.port()));
    }

    /**
     * A Service parentRef with its port spelled out. GEP-1426 reads {@code sectionName} as the Service's port name,
     * so {@code sectionName: http} means that port only, as {@code port: 9080} does (both given, both must name it).
     * Empty when the name is none of the Service's ports, or not the port given: such a ref routes nothing.
     */
    public static java.util.Optional<ParentReference> byPort(MeshConfig config, String namespace,
                                                             ParentReference ref) {
        if (ref.sectionName() == null) {
            return java.util.Optional.of(ref);
        }
        return config.get(new ResourceKey(Kind.SERVICE, namespace, ref.name()))
                .flatMap(s -> s.specAs(io.kshift.model.k8s.ServiceSpec.class).ports().stream()
                        .filter(p -> ref.sectionName().equals(p.name())).findFirst())
                .filter(p -> ref.port() == null || ref.port().equals(p.port()))
                .map(p -> new ParentReference(ref.group(), ref.kind(), ref.namespace(), ref.name(), ref.sectionName(),
                        p.port()));
    }

    /** A parentRef naming a core Service (mesh routing) rather than a Gateway. */
    public static boolean isServiceParent(ParentReference ref) {
        return "Service".equals(ref.kind()) && (ref.group() == null || ref.group().isEmpty()
                || "core".equals(ref.group()));
    }

    private static java.util.Optional<VirtualHost> httpRoute(Resource route, Resource gw, Listener l,
                                                             java.util.function.Function<String, Map<String, String>>
                                                                     labels) {
        HttpRouteSpec spec = GatewayApiHttp.spec(route);
        boolean attached = l.admitsNamespace(gw.namespace(), route.namespace(), labels)
                && l.admitsKind(route.type().kindName()) && spec.parentRefs().stream()
                .anyMatch(p -> ListenerBindings.attaches(p, route.namespace(), gw, l));
        if (!attached || spec.rules().isEmpty()) {
            return java.util.Optional.empty();
        }
        List<String> domains = intersection(spec.hostnames(), l.hostname());
        if (domains.isEmpty()) {
            return java.util.Optional.empty();
        }
        List<HttpRoute> routes = spec.rules().stream().map(r -> GatewayApiHttp.toIstio(r, route.namespace())).toList();
        return java.util.Optional.of(new VirtualHost(route.key(), route.namespace(), domains, routes, "spec.rules",
                gw.key(), route.type() == Kind.GRPC_ROUTE, RoutePrecedence.of(route), sessions(route.key(), spec)));
    }

    /**
     * A rule's session persistence and its cookie's Path: GEP-1619 asks for the rule's path match where it has one
     * (one match, Exact or PathPrefix), else {@code /}.
     */
    public record RuleSession(io.kshift.model.gateway.SessionPersistence persistence, String cookiePath,
                              String name) {
        /**
         * {@code name}: the {@code sessionName}, or one of the rule's own (the API leaves the default to
         * implementations): two rules sharing a default cookie on one path would overwrite each other's sessions.
         */
        static RuleSession of(ResourceKey route, int index, io.kshift.model.gateway.HttpRouteRule rule) {
            String path = "/";
            if (rule.matches().size() == 1 && rule.matches().get(0).path() != null) {
                var match = rule.matches().get(0).path();
                String value = match.effectiveValue();
                if (match.effectiveType() != io.kshift.model.gateway.HttpRouteMatch.PathType.RegularExpression
                        && value != null && value.startsWith("/")) {
                    path = value.length() > 1 && value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
                }
            }
            var p = rule.sessionPersistence();
            // By the rule's name where it has one: inserting a rule before it then does not rename its sessions.
            String ruleId = rule.name() != null && !rule.name().isEmpty() ? rule.name() : "#" + index;
            String name = p.sessionName() != null && !p.sessionName().isEmpty() ? p.sessionName()
                    : io.kshift.model.gateway.SessionPersistence.DEFAULT_NAME + "-" + Integer.toHexString(
                    (route + "/" + ruleId).hashCode());
            return new RuleSession(p, path, name);
        }
    }

    /** Each rule's session persistence by its index, for the rules that have one. */
    static Map<Integer, RuleSession> sessions(ResourceKey route, HttpRouteSpec spec) {
        Map<Integer, RuleSession> out = new java.util.HashMap<>();
        for (int i = 0; i < spec.rules().size(); i++) {
            if (spec.rules().get(i).sessionPersistence() != null) {
                out.put(i, RuleSession.of(route, i, spec.rules().get(i)));
            }
        }
        return out.isEmpty() ? Map.of() : Map.copyOf(out);
    }

    /**
     * The hosts of a VirtualService in {@code routeNamespace} that an Istio Gateway server's hosts admit: a server
     * host {@code ns/host} admits VirtualServices of namespace {@code ns} only, {@code ./host} those of the
     * Gateway's own namespace, {@code * /host} (no space) and a bare {@code host} those of any namespace.
     */
    public static List<String> admitted(List<String> routeHosts, List<String> serverHosts, String routeNamespace,
                                        String gatewayNamespace) {
        List<String> open = new ArrayList<>(serverHosts.size());
        for (String h : serverHosts) {
            int slash = h.indexOf('/');
            String ns = slash < 0 ? "*" : h.substring(0, slash);
            if (ns.equals("*") || ns.equals(routeNamespace) || ns.equals(".") && routeNamespace.equals(gatewayNamespace)) {
                open.add(h.substring(slash + 1));
            }
        }
        return open.isEmpty() && !serverHosts.isEmpty() ? List.of() : admitted(routeHosts, open);
    }

    /**
     * Whether a Gateway API route's {@code hostnames} (none: any) meet a listener's {@code hostname} (null: any),
     * wildcards included: the route attaches to the listener only then.
     */
    public static boolean meets(List<String> routeHostnames, String listenerHostname) {
        return routeHostnames.isEmpty() || !intersection(routeHostnames, listenerHostname).isEmpty();
    }

    /**
     * The names a Gateway API route serves on a listener: each route hostname the listener's covers, and where a
     * route wildcard covers the listener's hostname, that hostname (route {@code *.example.com} on listener
     * {@code shop.example.com} serves {@code shop.example.com}). No route hostnames: the listener's.
     */
    public static List<String> intersection(List<String> routeHostnames, String listenerHostname) {
        String listener = listenerHostname == null ? "*" : listenerHostname;
        if (routeHostnames.isEmpty()) {
            return List.of(listener);
        }
        Set<String> out = new LinkedHashSet<>();
        for (String h : routeHostnames) {
            if (HostNames.matches(listener, h)) {
                out.add(h);
            } else if (HostNames.matches(h, listener)) {
                out.add(listener);
            }
        }
        return List.copyOf(out);
    }

    /** The route hosts a gateway server's hosts admit ({@code *}, wildcards); a {@code *} route host takes the server's. */
    static List<String> admitted(List<String> routeHosts, List<String> serverHosts) {
        Set<String> out = new LinkedHashSet<>();
        List<String> server = serverHosts.stream().map(h -> h.contains("/") ? h.substring(h.indexOf('/') + 1) : h)
                .toList();
        for (String host : routeHosts) {
            if (server.isEmpty() || server.stream().anyMatch(s -> HostNames.matches(s, host))) {
                out.add(host);
            } else {
                // Istio matches the two either way: a route host broader than a server's ("*", "*.example.com" on
                // shop.example.com) serves the server's host.
                server.stream().filter(s -> HostNames.matches(host, s)).forEach(out::add);
            }
        }
        return List.copyOf(out);
    }

    /**
     * Resources in the order several for one host merge in: oldest first ({@link Resource#OLDEST_FIRST}), as Istio
     * merges VirtualServices and the Gateway API breaks precedence ties.
     */
    public static List<Resource> oldestFirst(List<Resource> resources) {
        if (resources.size() < 2) {
            return resources;
        }
        List<Resource> out = new ArrayList<>(resources);
        out.sort(Resource.OLDEST_FIRST);
        return out;
    }

    private static String upper(String protocol) {
        return protocol == null ? "" : protocol.toUpperCase(Locale.ROOT);
    }
}
