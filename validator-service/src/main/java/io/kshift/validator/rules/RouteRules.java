package io.kshift.validator.rules;

import io.kshift.model.gateway.ParentReference;
import io.kshift.model.gateway.TcpRouteSpec;
import io.kshift.model.istio.L4MatchAttributes;
import io.kshift.model.istio.TcpRoute;
import io.kshift.model.istio.VirtualServiceSpec;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.registry.DestinationResolver;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import io.kshift.model.resource.ResourceKey;
import io.kshift.model.routing.ListenerBinding;
import io.kshift.model.routing.ListenerBindings;
import io.kshift.model.routing.WeightedTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Route rules, make-before-break: every gateway and parentRef a route names exists, weights are relative and not
 * all zero, and every destination resolves to a defined subset with endpoints, so no accepted route can 503.
 */
final class RouteRules {
    private RouteRules() {
    }

    /**
     * {@code all}: whether what every route depends on may have changed (the registry, DestinationRules or
     * gateways), so every route is checked; otherwise only the {@code touched} ones are (the others were accepted
     * against the same registry and gateways and read nothing else).
     */
    static void check(MeshConfig config, DestinationResolver resolver, Map<Integer, ListenerBinding> bindings,
                      java.util.SortedSet<ResourceKey> touched, boolean all, Findings findings) {
        for (Resource vs : all ? config.ofKind(Kind.VIRTUAL_SERVICE)
                : EgressRules.touched(config, touched, Kind.VIRTUAL_SERVICE)) {
            virtualService(config, resolver, bindings, vs, findings);
        }
        for (Resource route : all ? config.ofKind(Kind.TCP_ROUTE) : EgressRules.touched(config, touched,
                Kind.TCP_ROUTE)) {
            tcpRoute(config, resolver, route, findings);
            ReferenceGrantRules.check(config, route, findings);
        }
        for (Resource route : all ? config.ofKind(Kind.UDP_ROUTE) : EgressRules.touched(config, touched,
                Kind.UDP_ROUTE)) {
            TcpRouteSpec spec = ListenerBindings.l4Spec(route);
            l4Route(config, resolver, route, spec.parentRefs(), spec.rules(), java.util.Set.of(ListenerBindings.UDP),
                    "a UDPRoute attaches to UDP listeners", findings);
            ReferenceGrantRules.check(config, route, findings);
        }
        for (Resource route : all ? config.ofKind(Kind.TLS_ROUTE) : EgressRules.touched(config, touched,
                Kind.TLS_ROUTE)) {
            tlsRoute(config, resolver, route, findings);
            ReferenceGrantRules.check(config, route, findings);
        }
        var grpc = io.kshift.model.routing.HttpBindings.grpcMeshServices(config);
        java.util.Set<ResourceKey> checked = new java.util.HashSet<>();
        for (Resource route : all ? config.ofKind(Kind.HTTP_ROUTE) : EgressRules.touched(config, touched,
                Kind.HTTP_ROUTE)) {
            GatewayApiHttpRules.check(config, resolver, route, grpc, findings);
            ReferenceGrantRules.check(config, route, findings);
            checked.add(route.key());
        }
        for (Resource route : all ? config.ofKind(Kind.GRPC_ROUTE) : EgressRules.touched(config, touched,
                Kind.GRPC_ROUTE)) {
            GatewayApiHttpRules.check(config, resolver, route, grpc, findings);
            GrpcRouteRules.check(route, findings);
            ReferenceGrantRules.check(config, route, findings);
            checked.add(route.key());
        }
        if (!checked.isEmpty() && !config.ofKind(Kind.GRPC_ROUTE).isEmpty()) {
            for (var c : io.kshift.model.routing.HttpBindings.kindConflicts(config)) {
                if (checked.contains(c.route())) {
                    findings.note(c.route(), new io.kshift.model.status.StatusNote(
                            io.kshift.model.status.StatusNote.ACCEPTED, "Conflicted", parentField(config, c),
                            "the older " + c.winner() + " attaches to listener '" + c.listener() + "' of " + c.gateway()
                                    + " with overlapping hostnames: an HTTPRoute and a GRPCRoute do not merge, the"
                                    + " older serves them (GEP-1016), so this route is not served there"));
                }
            }
        }
    }

    /**
     * The parentRef of a conflicted route that names the Gateway it conflicts on, so its status says Conflicted for
     * that parent only (a note off spec.parentRefs goes on every parent's entry, one served elsewhere too).
     */
    private static String parentField(MeshConfig config, io.kshift.model.routing.HttpBindings.KindConflict c) {
        var refs = config.get(c.route()).map(r -> io.kshift.model.routing.GatewayApiHttp.spec(r).parentRefs())
                .orElse(List.of());
        Resource gateway = config.get(c.gateway()).orElse(null);
        var listener = gateway == null ? null : gateway.specAs(io.kshift.model.gateway.KubeGatewaySpec.class)
                .listeners().stream().filter(l -> l.name().equals(c.listener())).findFirst().orElse(null);
        for (int i = 0; i < refs.size(); i++) {
            if (listener != null && io.kshift.model.routing.ListenerBindings.attaches(refs.get(i),
                    c.route().namespace(), gateway, listener)) {
                return "spec.parentRefs[" + i + "]";
            }
        }
        return "spec.hostnames";
    }

    private static void virtualService(MeshConfig config, DestinationResolver resolver,
                                       Map<Integer, ListenerBinding> bindings, Resource vs, Findings findings) {
        VirtualServiceSpec spec = vs.specAs(VirtualServiceSpec.class);
        ResourceKey key = vs.key();
        boolean meshBound = spec.gateways().isEmpty() || spec.gateways().contains(VirtualServiceSpec.MESH_GATEWAY);
        if (io.kshift.model.routing.Delegation.isDelegate(spec)) {
            // Istio: a VirtualService without hosts is a delegate, served through the root routes that name it.
            if (spec.http().isEmpty() || !spec.tcp().isEmpty() || !spec.tls().isEmpty()) {
                findings.error(key, "spec.hosts", "at least one host is required (a VirtualService without hosts"
                        + " is a delegate: http routes only, served through a root route's delegate)");
            }
            if (!spec.gateways().isEmpty()) {
                findings.warn(key, "spec.gateways", "ignored on a delegate (a VirtualService without hosts): it is"
                        + " served where the root routes that name it are");
            }
        }
        java.util.Set<String> hosts = new java.util.HashSet<>();
        for (int i = 0; i < spec.hosts().size(); i++) {
            if ("*".equals(spec.hosts().get(i)) && meshBound) {
                findings.error(key, "spec.hosts[" + i + "]", "'*' is only allowed for VirtualServices bound to gateways");
            }
            if (!hosts.add(spec.hosts().get(i))) {
                findings.error(key, "spec.hosts[" + i + "]", "duplicate host '" + spec.hosts().get(i) + "'");
            }
            if (!io.kshift.model.routing.HostNames.withoutRoutePort(spec.hosts().get(i)).equals(spec.hosts().get(i))) {
                // Istio refuses it (a host is a DNS name); the proxies would answer every form of the name before it
                // on that port, ahead of the service's own routes (a Host without a port is tried as :80 first).
                findings.laterRule(key, "spec.hosts[" + i + "]", "'" + spec.hosts().get(i) + "' is not a host name:"
                        + " a VirtualService host has no port (match the port with match[].port)");
            }
        }
        if (spec.tcp().isEmpty() && spec.http().isEmpty() && spec.tls().isEmpty()) {
            findings.error(key, "spec", "at least one of tcp, http or tls routes is required");
        }
        HttpRouteRules.check(config, vs, spec, gatewayExists(config, vs.namespace()), resolver, findings);
        if (meshBound && !spec.tcp().isEmpty()) {
            findings.warn(key, "spec.gateways", "mesh (sidecar) tcp routing is not served by kshift proxies (http is,"
                    + " on each node's mesh port); bind the VirtualService to a Gateway for its tcp routes to carry"
                    + " traffic");
        }
        List<ResourceKey> gateways = new ArrayList<>();
        List<Integer> missing = new ArrayList<>();
        boolean delegate = io.kshift.model.routing.Delegation.isDelegate(spec);
        for (int i = 0; i < spec.gateways().size() && !delegate; i++) {
            String ref = spec.gateways().get(i);
            if (VirtualServiceSpec.MESH_GATEWAY.equals(ref)) {
                continue;
            }
            Optional<Resource> gw = gateway(config, ref, vs.namespace());
            if (gw.isEmpty()) {
                missing.add(i);
            } else {
                gateways.add(gw.get().key());
            }
        }
        for (int i : missing) {
            String field = "spec.gateways[" + i + "]";
            String message = RouteRules.notYet("Gateway '" + spec.gateways().get(i) + "'");
            if (gateways.isEmpty() && !meshBound) {
                // Served nowhere yet: not Accepted. Bound elsewhere too, it is served there: only said.
                findings.note(key, io.kshift.model.status.StatusNote.noMatchingParent(field, message));
            } else {
                findings.warn(key, field, message);
            }
        }
        int catchAll = -1;
        for (int i = 0; i < spec.tcp().size(); i++) {
            TcpRoute route = spec.tcp().get(i);
            String field = "spec.tcp[" + i + "]";
            if (catchAll >= 0) {
                findings.warn(key, field, "shadowed by spec.tcp[" + catchAll + "], which matches every connection;"
                        + " this route never applies");
            } else if (route.match().isEmpty()) {
                catchAll = i;
            }
            for (int j = 0; j < route.match().size(); j++) {
                L4MatchAttributes m = route.match().get(j);
                for (int g = 0; g < m.gateways().size(); g++) {
                    if (gateway(config, m.gateways().get(g), vs.namespace()).isEmpty()) {
                        findings.warn(key, field + ".match[" + j + "].gateways[" + g + "]",
                                notYet("Gateway '" + m.gateways().get(g) + "'"));
                    }
                }
                if (m.port() != null && !gateways.isEmpty() && !declares(bindings, m.port(), gateways)) {
                    findings.warn(key, field + ".match[" + j + "].port", "no bound gateway listens on port "
                            + m.port() + "; this match can never apply");
                }
            }
            if (route.route().isEmpty()) {
                findings.error(key, field + ".route", "at least one destination is required");
                continue;
            }
            List<WeightedTarget> targets = ListenerBindings.istioTargets(route, vs.namespace(), field);
            targets(key, field + ".route", targets, resolver, findings);
        }
        tlsRoutes(vs, spec, meshBound, resolver, findings);
    }

    /** Istio tls routes: each matches by SNI ({@code sniHosts} required, as Istio requires) to destinations. */
    private static void tlsRoutes(Resource vs, VirtualServiceSpec spec, boolean meshBound,
                                  DestinationResolver resolver, Findings findings) {
        ResourceKey key = vs.key();
        if (meshBound && !spec.tls().isEmpty()) {
            findings.warn(key, "spec.gateways", "mesh (sidecar) tls routing is not served by kshift proxies; bind"
                    + " the VirtualService to a Gateway with a PASSTHROUGH server for its tls routes to carry traffic");
        }
        for (int i = 0; i < spec.tls().size(); i++) {
            io.kshift.model.istio.TlsRoute route = spec.tls().get(i);
            String field = "spec.tls[" + i + "]";
            if (route.match().isEmpty()) {
                findings.error(key, field + ".match", "at least one match with sniHosts is required");
            }
            for (int j = 0; j < route.match().size(); j++) {
                List<String> sni = route.match().get(j).sniHosts();
                if (sni.isEmpty()) {
                    findings.error(key, field + ".match[" + j + "].sniHosts", "at least one SNI host is required");
                }
                for (int h = 0; h < sni.size(); h++) {
                    String name = sni.get(h);
                    // Istio: a VirtualService routes only the names it owns (its hosts), so it cannot take another's.
                    if (spec.hosts().stream().noneMatch(v -> io.kshift.model.routing.HostNames.matches(v, name))) {
                        findings.error(key, field + ".match[" + j + "].sniHosts[" + h + "]", "'" + name + "' is not"
                                + " one of this VirtualService's hosts " + spec.hosts());
                    }
                }
            }
            if (route.route().isEmpty()) {
                findings.error(key, field + ".route", "at least one destination is required");
                continue;
            }
            targets(key, field + ".route", ListenerBindings.istioTargets(route, vs.namespace(), field), resolver,
                    findings);
        }
    }

    private static java.util.function.Predicate<String> gatewayExists(MeshConfig config, String namespace) {
        return ref -> VirtualServiceSpec.MESH_GATEWAY.equals(ref) || gateway(config, ref, namespace).isPresent();
    }

    private static boolean declares(Map<Integer, ListenerBinding> bindings, int port, List<ResourceKey> gateways) {
        ListenerBinding b = bindings.get(port);
        return b != null && b.declarations().stream().anyMatch(d -> gateways.contains(d.gateway()));
    }

    /** The Gateway a reference names: looked up by key, candidate by candidate (not a scan of every Gateway). */
    static Optional<Resource> gateway(MeshConfig config, String ref, String namespace) {
        for (var candidate : io.kshift.model.istio.GatewayRefs.candidates(ref, namespace)) {
            Optional<Resource> gw = config.get(new ResourceKey(Kind.GATEWAY, candidate.namespace(), candidate.name()));
            if (gw.isPresent()) {
                return gw;
            }
        }
        return Optional.empty();
    }

    private static void tcpRoute(MeshConfig config, DestinationResolver resolver, Resource route, Findings findings) {
        TcpRouteSpec spec = route.specAs(TcpRouteSpec.class);
        l4Route(config, resolver, route, spec.parentRefs(), spec.rules(), java.util.Set.of("TCP", "TLS"),
                "a TCPRoute attaches to TCP listeners and TLS listeners that terminate", findings);
    }

    /** A TLSRoute: as a TCPRoute, on TLS listeners, with SNI {@code hostnames} (exact or {@code *.} wildcards). */
    private static void tlsRoute(MeshConfig config, DestinationResolver resolver, Resource route, Findings findings) {
        io.kshift.model.gateway.TlsRouteSpec spec = route.specAs(io.kshift.model.gateway.TlsRouteSpec.class);
        for (int i = 0; i < spec.hostnames().size(); i++) {
            String h = spec.hostnames().get(i);
            if (h.isBlank() || h.contains("/") || h.contains(":") || h.indexOf('*', 1) >= 0
                    || (h.startsWith("*") && !h.startsWith("*."))) {
                findings.error(route.key(), "spec.hostnames[" + i + "]", "'" + h + "' is not a host name or a"
                        + " '*.' wildcard");
            }
        }
        l4Route(config, resolver, route, spec.parentRefs(), spec.rules(), java.util.Set.of("TLS"),
                "a TLSRoute attaches to TLS listeners", findings);
    }

    private static void l4Route(MeshConfig config, DestinationResolver resolver, Resource route,
                                List<ParentReference> parentRefs, List<io.kshift.model.gateway.TcpRouteRule> rules,
                                java.util.Set<String> protocols, String why, Findings findings) {
        ResourceKey key = route.key();
        String routeKind = route.type().kindName();
        if (parentRefs.isEmpty()) {
            // The Gateway API allows it (parentRefs is optional): such a route attaches to nothing.
            findings.warn(key, "spec.parentRefs", "no parentRefs: this " + routeKind + " attaches to no Gateway and"
                    + " carries no traffic");
        }
        for (int i = 0; i < parentRefs.size(); i++) {
            ParentRefRules.check(config, route, parentRefs.get(i), "spec.parentRefs[" + i + "]", protocols, why,
                    findings);
        }
        var spec = new TcpRouteSpec(parentRefs, rules);
        if (spec.rules().isEmpty()) {
            findings.error(key, "spec.rules", "at least one rule is required");
            return;
        }
        if (spec.rules().size() > 1) {
            findings.warn(key, "spec.rules[1]", "a " + routeKind + " uses its first rule only; later rules never match");
        }
        var rule = spec.rules().get(0);
        if (rule.backendRefs().isEmpty()) {
            findings.error(key, "spec.rules[0].backendRefs", "at least one backendRef is required");
            return;
        }
        List<WeightedTarget> all = ListenerBindings.backendTargets(rule, route.namespace());
        List<WeightedTarget> targets = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if (serviceBackend(key, all.get(i).field(), rule.backendRefs().get(i), findings)) {
                targets.add(all.get(i));
            }
        }
        targets(key, "spec.rules[0].backendRefs", targets, resolver, findings,
                route.type() == io.kshift.model.resource.Kind.UDP_ROUTE ? Traffic.UDP : Traffic.STREAM);
    }

    /** What a route carries to its destinations, for the destination settings that apply to some only. */
    enum Traffic {
        /** TCP and TLS routes: one upstream connection per client connection; tunnels and PROXY headers apply. */
        STREAM("TCP and TLS routes"),
        HTTP("HTTP routes"),
        UDP("UDP routes");

        final String routes;

        Traffic(String routes) {
            this.routes = routes;
        }
    }

    /**
     * Whether a backendRef written at {@code field} is a Service with its port (the Gateway API requires the port
     * of a Service backend); other kinds (ServiceImport, custom backends) are not served. Says what is wrong.
     */
    static boolean serviceBackend(ResourceKey key, String field, io.kshift.model.gateway.BackendRef ref,
                                  Findings findings) {
        if (ref.kind() != null && !"Service".equals(ref.kind())) {
            findings.error(key, field + ".kind", "only Service backends are supported, not " + ref.kind());
            return false;
        }
        if (ref.port() == null) {
            findings.error(key, field + ".port", "is required for a Service backend (the Service's port)");
            return false;
        }
        return true;
    }

    /**
     * A route may name a gateway before it exists, as with kubectl (files apply in any order, and Istio and the
     * Gateway API accept such a route, unattached): nothing is routed through it until the gateway is created,
     * and then it attaches, checked as every route is when a gateway changes. Traffic elsewhere is unaffected, so
     * this warns rather than refuses.
     */
    static String notYet(String gateway) {
        return gateway + " does not exist (yet): this route attaches to it when it is created, and carries no"
                + " traffic through it until then";
    }

    /** A TCP or TLS route's weighted targets ({@link #targets(ResourceKey, String, List, DestinationResolver,
     * Findings, Traffic)}), which a destination's tunnel and PROXY protocol apply to. */
    static void targets(ResourceKey key, String listField, List<WeightedTarget> targets,
                                DestinationResolver resolver, Findings findings) {
        targets(key, listField, targets, resolver, findings, Traffic.STREAM);
    }

    /** A route's weighted targets: weights that send somewhere, destinations that resolve, and {@link #carried}. */
    static void targets(ResourceKey key, String listField, List<WeightedTarget> targets,
                        DestinationResolver resolver, Findings findings, Traffic traffic) {
        // A Gateway API backend of weight 0 gets nothing, even alone, and a rule of only such forwards nothing (the
        // API's meaning); Istio gives a lone destination everything and refuses weights that are all zero.
        boolean gatewayApi = key.kind() != io.kshift.model.resource.Kind.VIRTUAL_SERVICE;
        if (!targets.isEmpty() && targets.stream().mapToLong(WeightedTarget::weight).sum() == 0) {
            if (gatewayApi) {
                findings.warn(key, listField, "every weight is 0: nothing is forwarded (" + (traffic == Traffic.HTTP
                        ? "requests are answered 500" : "connections are closed") + "), as the Gateway API says");
            } else if (targets.size() > 1) {
                findings.error(key, listField, "weights must not all be zero (weights are relative: each"
                        + " destination gets weight / sum)");
            }
        }
        for (WeightedTarget t : targets) {
            if ((targets.size() > 1 || gatewayApi) && t.weight() == 0) {
                findings.warn(key, t.field() + ".weight", "weight 0: " + t.describe() + " receives no traffic");
            }
            DestinationResolver.Result result = t.resolve(resolver);
            if (!result.ok()) {
                unresolved(key, t.field() + suffix(t, result.problem().part()), "", t, result, findings);
            } else {
                carried(key, t.field(), t.describe(), result, traffic, findings);
                selectedOnly(key, t.field() + suffix(t, DestinationResolver.Part.SUBSET), t, resolver, findings);
            }
        }
    }

    /**
     * A destination that does not resolve, said at {@code field} (its message after {@code prefix}): an error, or,
     * when all it lacks is endpoints, as {@link Findings#endpointsLost} judges that.
     */
    static void unresolved(ResourceKey key, String field, String prefix, WeightedTarget t,
                           DestinationResolver.Result result, Findings findings) {
        String message = prefix + result.problem().message();
        if (result.problem().noEndpoints()) {
            findings.endpointsLost(key, field, message, emptyBefore(t, findings));
        } else {
            findings.error(key, field, message);
        }
    }

    /** Whether {@code t} had no endpoints in the live config already (so the change did not empty it). */
    private static boolean emptyBefore(WeightedTarget t, Findings findings) {
        if (findings.before() == null) {
            return false;
        }
        DestinationResolver.Result was = t.resolve(findings.before());
        return !was.ok() && was.problem().noEndpoints();
    }

    /** A subset only rules with a workloadSelector define: the nodes they do not select answer 503 for it. */
    static void selectedOnly(ResourceKey key, String field, WeightedTarget t, DestinationResolver resolver,
                             Findings findings) {
        if (t.backendRef() || t.subset() == null) {
            return;
        }
        List<Resource> only = resolver.subsetDefinedOnlyBySelecting(t.host(), t.subset(), t.namespace());
        if (!only.isEmpty()) {
            findings.warn(key, field, "subset '" + t.subset() + "' is defined only by "
                    + only.stream().map(r -> r.key() + " (workloadSelector " + new java.util.TreeMap<>(
                    r.specAs(io.kshift.model.istio.DestinationRuleSpec.class).workloadSelector().matchLabels())
                    + ")").collect(java.util.stream.Collectors.joining(" and ")) + ": proxy nodes of namespace "
                    + only.get(0).namespace() + " it selects serve it; any other node answers its share 503 (no such"
                    + " subset; TCP connections are closed)");
        }
    }

    /**
     * Destination settings that apply to TCP and TLS routes only: for other traffic, a word where a tunnel does
     * nothing (Istio tunnels TCP and TLS routes only), and for HTTP (routes and mirrors) a refusal where a PROXY
     * protocol header would be needed on connections many clients' requests share.
     */
    static void carried(ResourceKey key, String field, String what, DestinationResolver.Result result,
                        Traffic traffic, Findings findings) {
        var policy = result.destination() == null ? null : result.destination().policy();
        if (traffic == Traffic.STREAM || policy == null) {
            return;
        }
        if (policy.tunnel() != null) {
            findings.warn(key, field, what + " has a DestinationRule tunnel, which " + traffic.routes + " do not use"
                    + " (Istio tunnels TCP and TLS routes only): traffic goes to its endpoints as it is");
        }
        if (policy.proxyProtocol() != null && traffic == Traffic.HTTP) {
            findings.error(key, field, what + " has a DestinationRule proxyProtocol, which this kshift version sends"
                    + " on TCP and TLS routes only: an HTTP route's upstream connections carry many clients' requests");
        } else if (policy.proxyProtocol() != null) {
            findings.warn(key, field, what + " has a DestinationRule proxyProtocol, which " + traffic.routes
                    + " do not send");
        }
    }

    static String suffix(WeightedTarget t, DestinationResolver.Part part) {
        String p = part.name().toLowerCase(Locale.ROOT);
        if (t.backendRef()) {
            return part == DestinationResolver.Part.HOST ? ".name" : "." + p;
        }
        return ".destination." + p;
    }
}
