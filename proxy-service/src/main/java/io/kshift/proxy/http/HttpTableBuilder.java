package io.kshift.proxy.http;

import io.kshift.model.istio.HttpMatchRequest;
import io.kshift.model.istio.HttpMirrorPolicy;
import io.kshift.model.istio.HttpRoute;
import io.kshift.model.istio.RetryOn;
import io.kshift.model.mesh.IstioDuration;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.routing.SidecarScope;
import io.kshift.model.registry.AffectedServices;
import io.kshift.model.registry.DestinationResolver;
import io.kshift.model.registry.MeshService;
import io.kshift.model.registry.ResolvedDestination;
import io.kshift.model.registry.ServicePortInfo;
import io.kshift.model.routing.HostNames;
import io.kshift.model.routing.HttpBindings;
import io.kshift.model.routing.ListenerBindings;
import io.kshift.model.routing.RoutePrecedence;
import io.kshift.model.routing.WeightedTarget;
import io.kshift.proxy.routing.Destinations;
import io.kshift.proxy.routing.LayeredMap;
import io.kshift.proxy.routing.WeightedPicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds the HTTP part of a route table: per gateway HTTP port, and for the mesh listener, a {@link VirtualHostTable}
 * of compiled routes. Trusts validated input; a destination that does not resolve is left out. On the mesh
 * listener a service no VirtualService claims gets Istio's default route: all of its endpoints, round-robin.
 * A virtual host the previous build compiled is reused when its resource and the resolution of each of its
 * destinations are unchanged ({@link CompiledHosts}); resolving is an index lookup, compiling is not.
 */
public final class HttpTableBuilder {
    /** Istio's retry policy for routes that set none: 2 retries on connect failures, refused streams and 503. */
    static final HttpRouteEntry.Retry ISTIO_DEFAULT_RETRY = new HttpRouteEntry.Retry(2, null, RetryOn.parse(null),
            null);

    private final DestinationResolver resolver;
    private final Destinations destinations;
    private final CompiledHosts previous;
    private final AffectedServices affected;
    private Map<CompiledHosts.Key, CompiledHosts.Compiled> compiled;
    private Map<CompiledHosts.DefaultKey, CompiledHosts.Default> defaultRoutes;
    private List<CompiledHosts.Default> defaultOrder = List.of();
    private Map<String, List<HttpRouteEntry>> defaultTable = Map.of();
    private int reused;
    private int fresh;
    private CompiledHosts.MeshPart meshPart;
    private boolean patched;

    /**
     * {@code previous}: the virtual hosts the last build compiled; {@code affected}: the services whose destinations
     * may resolve differently since then ({@link AffectedServices#ALL} when unknown).
     */
    private final io.kshift.proxy.tls.UpstreamTls.Factory upstreamTls;
    private final boolean tlsChanged;

    public HttpTableBuilder(DestinationResolver resolver, Destinations destinations, CompiledHosts previous,
                            AffectedServices affected) {
        this(resolver, destinations, previous, affected, io.kshift.proxy.tls.UpstreamTls.Factory.NONE, false);
    }

    /**
     * {@code upstreamTls}: the TLS each destination's DestinationRule or BackendTLSPolicy has this node originate;
     * {@code tlsChanged}: what it is made of (Secrets, CA bundles, Gateways' client certificates) may have changed, so
     * no virtual host that originates TLS is reused (its destinations resolve as before, their TLS may not).
     */
    public HttpTableBuilder(DestinationResolver resolver, Destinations destinations, CompiledHosts previous,
                            AffectedServices affected, io.kshift.proxy.tls.UpstreamTls.Factory upstreamTls,
                            boolean tlsChanged) {
        this.upstreamTls = upstreamTls;
        this.tlsChanged = tlsChanged;
        this.resolver = resolver;
        this.destinations = destinations;
        this.previous = previous;
        this.affected = affected;
        // Sized for what the last build held: a build mostly holds the same, with no rehashing as the maps grow.
        this.compiled = new HashMap<>(capacityFor(previous.hosts.size()));
        this.defaultRoutes = new HashMap<>(capacityFor(previous.defaults.size()));
    }

    /** What changed since the last build: the resources' keys, and the whole config before and after. */
    public record Change(List<io.kshift.model.resource.ResourceKey> keys, MeshConfig before, MeshConfig after) {
    }

    /** The virtual hosts this build compiled or reused: what the next build may reuse. */
    public CompiledHosts hosts() {
        return new CompiledHosts(LayeredMap.readOnly(compiled),
                defaultRoutes == previous.defaults ? defaultRoutes : LayeredMap.readOnly(defaultRoutes),
                defaultOrder, defaultTable, meshPart);
    }

    /** Whether the mesh table was the last one with a few virtual hosts swapped ({@link MeshPatch}). */
    public boolean meshPatched() {
        return patched;
    }

    public int reused() {
        return reused;
    }

    public int compiledAfresh() {
        return fresh;
    }

    public Map<Integer, VirtualHostTable> gateways(MeshConfig config) {
        Map<Integer, VirtualHostTable> out = new TreeMap<>();
        HttpBindings.gateways(config).forEach((port, hosts) -> out.put(port, table(hosts, "http:" + port, false)));
        return out;
    }

    public VirtualHostTable mesh(MeshConfig config) {
        return mesh(config, SidecarScope.EVERYTHING);
    }

    /** The mesh port's table: the routes and services {@code imported} by the Sidecar that applies here. */
    public VirtualHostTable mesh(MeshConfig config, SidecarScope imported) {
        List<HttpBindings.VirtualHost> hosts = HttpBindings.mesh(config);
        if (!imported.importsAll()) {
            hosts = hosts.stream().filter(vh -> imported.importsAny(vh.namespace(), vh.domains())).toList();
        }
        return table(hosts, "mesh", imported);
    }

    /**
     * The mesh port's table, patched from the last one when {@code change} allows ({@link MeshPatch}), else built
     * whole; {@code here}: the config this node serves.
     */
    public VirtualHostTable mesh(MeshConfig here, SidecarScope imported, Change change) {
        List<MeshPatch.Swap> swaps = MeshPatch.plan(previous.mesh, imported, affected, change, here);
        return swaps != null && destinationsStayInUse(swaps) ? patched(swaps, imported) : mesh(here, imported);
    }

    /**
     * Whether every destination a swapped-out virtual host sent to is still sent to by its replacement: then
     * every destination of the last table is still in use and its state can be carried as a whole.
     */
    private boolean destinationsStayInUse(List<MeshPatch.Swap> swaps) {
        for (MeshPatch.Swap swap : swaps) {
            if (swap.before() == null) {
                continue;
            }
            java.util.Set<ResolvedDestination> after = new java.util.HashSet<>();
            if (swap.after() != null) {
                resolveAll(swap.after()).stream().filter(java.util.Objects::nonNull)
                        .forEach(d -> after.add(d.withHttp2(false)));
            }
            for (ResolvedDestination d : swap.before().resolved()) {
                if (d != null && !after.contains(d.withHttp2(false))) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The last mesh table with {@code swaps} made: the rest of its names, hosts and default routes as they were,
     * its maps layered over the last build's rather than copied ({@link LayeredMap}).
     */
    private VirtualHostTable patched(List<MeshPatch.Swap> swaps, SidecarScope imported) {
        CompiledHosts.MeshPart last = previous.mesh;
        destinations.carryAll();
        LayeredMap<io.kshift.model.resource.ResourceKey, CompiledHosts.Compiled> bySource =
                LayeredMap.over(last.bySource());
        LayeredMap<String, List<HttpRouteEntry>> exact = LayeredMap.over(last.exact());
        // This build's gateway hosts are the last build's (a patch changes none), so those are taken as a whole.
        LayeredMap<CompiledHosts.Key, CompiledHosts.Compiled> hosts = LayeredMap.over(previous.hosts);
        hosts.putAll(compiled);
        compiled = hosts;
        int kept = last.bySource().size();
        for (MeshPatch.Swap swap : swaps) {
            if (swap.before() != null) {
                bySource.remove(swap.source());
                swap.before().names().forEach(exact::remove);
                hosts.remove(CompiledHosts.Key.of("mesh", swap.before().host()));
                kept--;
            }
        }
        reused += kept;
        java.util.Set<Destinations.PickerKey> inUse = new java.util.HashSet<>();
        for (MeshPatch.Swap swap : swaps) {
            if (swap.after() != null) {
                CompiledHosts.Compiled host = compiled(swap.after(), "mesh");
                bySource.put(swap.source(), host);
                host.names().forEach(name -> exact.put(name, host.routes()));
                inUse.addAll(host.pickers().keySet());
            }
        }
        for (MeshPatch.Swap swap : swaps) {
            if (swap.before() != null) {
                swap.before().pickers().keySet().stream().filter(k -> !inUse.contains(k))
                        .forEach(destinations::drop);
            }
        }
        defaultRoutes = previous.defaults;
        defaultOrder = previous.defaultOrder;
        defaultTable = previous.defaultTable;
        Map<String, List<HttpRouteEntry>> names = LayeredMap.readOnly(exact);
        boolean ported = last.table().ported() || swaps.stream().anyMatch(swap -> swap.after() != null
                && swap.after().domains().stream().anyMatch(VirtualHostTable::hasPort));
        VirtualHostTable table = new VirtualHostTable(names, defaultTable, last.table().wildcards(),
                last.table().any(), ported);
        meshPart = new CompiledHosts.MeshPart(imported, LayeredMap.readOnly(bySource), names, last.merged(), table);
        patched = true;
        return table;
    }

    private VirtualHostTable table(List<HttpBindings.VirtualHost> hosts, String listener, boolean withDefaults) {
        return table(hosts, listener, withDefaults ? SidecarScope.EVERYTHING : null);
    }

    /** {@code defaults}: the services given a default route (the mesh port's), null for none. */
    private VirtualHostTable table(List<HttpBindings.VirtualHost> hosts, String listener, SidecarScope defaults) {
        boolean withDefaults = defaults != null;
        int port = listenerPort(listener);
        // Most names have one virtual host; the few with several are merged once they are all known.
        Map<String, CompiledHosts.Compiled> first = new HashMap<>(capacityFor(4 * hosts.size()));
        Map<String, List<CompiledHosts.Compiled>> several = new HashMap<>();
        Map<io.kshift.model.resource.ResourceKey, CompiledHosts.Compiled> bySource = withDefaults
                ? new HashMap<>(capacityFor(hosts.size())) : null;
        boolean patchable = withDefaults;
        for (HttpBindings.VirtualHost vh : hosts) {
            CompiledHosts.Compiled host = compiled(vh, listener);
            if (patchable && bySource.putIfAbsent(vh.source(), host) != null) {
                patchable = false; // two virtual hosts from one resource: the next build is whole too
            }
            for (String name : host.names()) {
                CompiledHosts.Compiled before = first.putIfAbsent(name, host);
                if (before != null && before != host) {
                    List<CompiledHosts.Compiled> all = several.computeIfAbsent(name,
                            n -> new ArrayList<>(List.of(before)));
                    if (!all.contains(host)) {
                        all.add(host);
                    }
                }
            }
        }
        if (WildcardMerge.mergeInto(first, several, hosts) && withDefaults) {
            patchable = false;
        }
        Map<String, List<HttpRouteEntry>> exact = new HashMap<>(capacityFor(first.size()));
        Map<String, List<HttpRouteEntry>> wildcards = new TreeMap<>((a, b) -> b.length() != a.length()
                ? b.length() - a.length() : a.compareTo(b));
        List<HttpRouteEntry> any = null;
        for (Map.Entry<String, CompiledHosts.Compiled> e : first.entrySet()) {
            String name = e.getKey();
            List<CompiledHosts.Compiled> merged = several.get(name);
            List<HttpRouteEntry> routes = merged == null ? e.getValue().routes()
                    : RouteMerge.merge(merged, withDefaults, port);
            if (name.equals("*")) {
                any = routes;
            } else if (name.startsWith("*.")) {
                wildcards.put(name.substring(1), routes);
            } else {
                exact.put(name, routes);
            }
        }
        Map<String, List<HttpRouteEntry>> defaultNames = withDefaults ? defaults(listener, defaults) : Map.of();
        // Not copied: at thousands of services the copy cost as much as the rest of the table; nothing else holds it.
        Map<String, List<HttpRouteEntry>> names = java.util.Collections.unmodifiableMap(exact);
        VirtualHostTable table = new VirtualHostTable(names, defaultNames, List.copyOf(wildcards.entrySet()), any);
        if (withDefaults) {
            meshPart = patchable ? new CompiledHosts.MeshPart(defaults, java.util.Collections.unmodifiableMap(
                    bySource), names, java.util.Set.copyOf(several.keySet()), table) : null;
        }
        return table;
    }

    /** The port of a gateway listener's name ({@code http:8080}); -1 for the mesh listener. */
    private static int listenerPort(String listener) {
        int colon = listener.indexOf(':');
        return colon < 0 ? -1 : Integer.parseInt(listener.substring(colon + 1));
    }

    private static int capacityFor(int entries) {
        return Destinations.capacityFor(entries);
    }

    /** The virtual host compiled: the previous build's when nothing its routes depend on changed. */
    private CompiledHosts.Compiled compiled(HttpBindings.VirtualHost vh, String listener) {
        CompiledHosts.Key key = CompiledHosts.Key.of(listener, vh);
        CompiledHosts.Compiled before = previous.hosts.get(key);
        boolean same = before != null && before.host().equals(vh) && !compiled.containsKey(key)
                && !(tlsChanged && originatesTls(before));
        // Unaffected destinations resolve as before: no need to resolve them again to know it.
        List<ResolvedDestination> resolved = same && unaffected(before.resolved()) ? before.resolved() : resolveAll(vh);
        if (same && before.resolved().equals(resolved)) {
            // Keep what the reused routes hold current, so a later build can carry it over too.
            resolved.stream().filter(java.util.Objects::nonNull).forEach(destinations::shared);
            before.pickers().forEach(destinations::keep);
            compiled.put(key, before);
            reused++;
            return before;
        }
        Map<Destinations.PickerKey, WeightedPicker> pickers = new HashMap<>();
        List<HttpRouteEntry> routes = compile(vh, listener, pickers, resolved.iterator());
        // State is kept for every destination a route names, weight 0 and unmatched routes too, as for a reused
        // host (and as Envoy keeps a cluster whatever routes weigh it): a build holds the same state however made.
        resolved.stream().filter(java.util.Objects::nonNull).forEach(destinations::shared);
        List<RoutePrecedence.Rank> ranks = List.of();
        if (vh.ranked()) {
            RouteMerge.Ranked ranked = RouteMerge.ranked(vh, routes);
            routes = ranked.routes();
            ranks = ranked.ranks();
        }
        CompiledHosts.Compiled host = new CompiledHosts.Compiled(vh, resolved, routes, Map.copyOf(pickers),
                MeshPatch.names(vh), ranks);
        compiled.putIfAbsent(key, host);
        fresh++;
        return host;
    }

    private static boolean originatesTls(CompiledHosts.Compiled host) {
        for (HttpRouteEntry route : host.routes()) {
            for (HttpTarget t : route.targets()) {
                if (t.pool().policy().tls() != null) {
                    return true;
                }
            }
            for (HttpRouteEntry.Mirror m : route.mirrors()) {
                if (m.target().pool().policy().tls() != null) {
                    return true;
                }
            }
        }
        return false;
    }

    private boolean unaffected(List<ResolvedDestination> resolved) {
        for (ResolvedDestination d : resolved) {
            if (d == null ? affected.any() : affected.affects(d.service())) {
                return false;
            }
        }
        return true;
    }

    /** What every destination and mirror of the virtual host resolves to now (null where one does not), in order. */
    private List<ResolvedDestination> resolveAll(HttpBindings.VirtualHost vh) {
        List<ResolvedDestination> out = new ArrayList<>();
        for (int i = 0; i < vh.routes().size(); i++) {
            HttpRoute route = vh.routes().get(i);
            String field = vh.fieldOf(i);
            for (WeightedTarget t : ListenerBindings.istioTargets(route, vh.namespace(), field)) {
                out.add(spokenTo(vh, t.resolve(resolver).destination()));
            }
            for (HttpMirrorPolicy m : route.allMirrors()) {
                out.add(spokenTo(vh, ListenerBindings.target(field + ".mirror", 1, m.destination(), vh.namespace())
                        .resolve(resolver).destination()));
            }
        }
        return out;
    }

    /** A GRPCRoute's backends and mirrors speak gRPC, which is HTTP/2, whatever their Service port says. */
    private static ResolvedDestination spokenTo(HttpBindings.VirtualHost vh, ResolvedDestination d) {
        return d != null && vh.grpc() ? d.withHttp2() : d;
    }

    /** {@code resolved}: {@link #resolveAll}'s answers, consumed in the same order (targets, then mirrors, per route). */
    private List<HttpRouteEntry> compile(HttpBindings.VirtualHost vh, String listener,
                                         Map<Destinations.PickerKey, WeightedPicker> pickers,
                                         java.util.Iterator<ResolvedDestination> resolved) {
        List<HttpRouteEntry> out = new ArrayList<>();
        for (int i = 0; i < vh.routes().size(); i++) {
            HttpRoute route = vh.routes().get(i);
            List<MatchBlock> blocks = new ArrayList<>();
            for (HttpMatchRequest m : route.match()) {
                if (vh.admits(m.gateways())) {
                    blocks.add(MatchBlock.of(m));
                }
            }
            if (!route.match().isEmpty() && blocks.isEmpty()) {
                for (int skip = route.route().size() + route.allMirrors().size(); skip > 0; skip--) {
                    resolved.next();
                }
                continue;
            }
            out.add(entry(vh, route, vh.fieldOf(i), blocks, listener, pickers, resolved, vh.sessions().get(i)));
        }
        return List.copyOf(out);
    }

    private HttpRouteEntry entry(HttpBindings.VirtualHost vh, HttpRoute route, String field, List<MatchBlock> blocks,
                                 String listener, Map<Destinations.PickerKey, WeightedPicker> pickers,
                                 java.util.Iterator<ResolvedDestination> resolved,
                                 HttpBindings.RuleSession session) {
        List<HttpTarget> targets = new ArrayList<>();
        List<WeightedTarget> weighted = ListenerBindings.istioTargets(route, vh.namespace(), field);
        int lost = 0;
        for (int d = 0; d < weighted.size(); d++) {
            WeightedTarget t = weighted.get(d);
            var headers = route.route().get(d).headers();
            ResolvedDestination destination = resolved.next();
            if (destination != null && t.weight() > 0) {
                targets.add(target(destination, t.weight(), headers == null ? null : headers.request(),
                        headers == null ? null : headers.response(), listener, false, vh.gateway()));
            } else if (t.weight() > 0) {
                lost += t.weight();
            }
        }
        List<HttpRouteEntry.Mirror> mirrors = new ArrayList<>();
        for (HttpMirrorPolicy m : route.allMirrors()) {
            ResolvedDestination destination = resolved.next();
            if (destination != null) {
                mirrors.add(new HttpRouteEntry.Mirror(target(destination, 1, null, null, listener, true, vh.gateway()),
                        m.percentage() == null || m.percentage().value() == null ? 100 : m.percentage().value()));
            }
        }
        var rewrite = route.rewrite();
        var headers = route.headers();
        WeightedPicker picker = null;
        if (!targets.isEmpty()) {
            // A destination this node cannot resolve (a subset another node's DestinationRule defines, one not
            // exported here) keeps its share, answered 503 (Envoy answers a cluster it lacks so): its weight moved
            // to the others would shift traffic on this node alone.
            int[] weights = Destinations.withLost(targets.stream().mapToInt(HttpTarget::weight).toArray(), lost);
            Destinations.PickerKey key = new Destinations.PickerKey(listener, vh.source(), field,
                    targets.stream().map(t -> t.destination().key()).toList(),
                    java.util.Arrays.stream(weights).boxed().toList());
            picker = destinations.weighted(key, weights);
            pickers.put(key, picker);
        }
        return new HttpRouteEntry(vh.source(), field, List.copyOf(blocks), HttpRouteEntry.Fault.of(route.fault()),
                route.redirect(), PathRewrite.of(rewrite), rewrite == null ? null : rewrite.authority(),
                HeaderEdits.of(headers == null ? null : headers.request()),
                HeaderEdits.of(headers == null ? null : headers.response()), List.copyOf(targets), picker,
                List.copyOf(mirrors), duration(route.timeout()), retry(route), Cors.of(route.corsPolicy()),
                HttpRouteEntry.Direct.of(route.directResponse()),
                SessionAffinity.of(session, List.copyOf(targets)));
    }

    /** {@code gateway}: the Gateway the route is served on (its client certificate for backends), or null. */
    private HttpTarget target(ResolvedDestination d, int weight, io.kshift.model.istio.HeaderOperations request,
                              io.kshift.model.istio.HeaderOperations response, String listener, boolean shadow,
                              io.kshift.model.resource.ResourceKey gateway) {
        return new HttpTarget(d, weight, destinations.shared(d), HeaderEdits.of(request), HeaderEdits.of(response),
                destinations.stats(d, listener, "http", shadow), upstreamTls.of(d, true, gateway));
    }

    private static HttpRouteEntry.Retry retry(HttpRoute route) {
        if (route.retries() == null) {
            return ISTIO_DEFAULT_RETRY;
        }
        // Istio: attempts is a plain proto int, so leaving it out means 0 (retries off).
        int attempts = route.retries().attempts() == null ? 0 : route.retries().attempts();
        // And with retries off there is no per-try timeout either (Istio sets no retry policy at all): a
        // perTryTimeout left beside a forgotten attempts would cut slow answers short.
        return new HttpRouteEntry.Retry(attempts, attempts <= 0 ? null : duration(route.retries().perTryTimeout()),
                RetryOn.parse(route.retries().retryOn()), duration(route.retries().backoff()),
                route.retries().remoteLocalities());
    }

    static Duration duration(String text) {
        return IstioDuration.parse(text).filter(d -> !d.isZero()).orElse(null);
    }

    /** A service port's default route: the previous build's while the service is unaffected. */
    private CompiledHosts.Default defaultRoute(MeshService service, ServicePortInfo port, String listener) {
        CompiledHosts.DefaultKey key = new CompiledHosts.DefaultKey(service.host(), port.number());
        CompiledHosts.Default before = previous.defaults.get(key);
        if (before != null && !affected.affects(service.host())) {
            destinations.shared(before.destination());
            defaultRoutes.put(key, before);
            return before;
        }
        boolean entry = service.origin() != MeshService.Origin.SERVICE;
        DestinationResolver.Result result = resolver.resolve(entry ? service.host() : service.name(), null,
                port.number(), service.namespace());
        if (!result.ok()) {
            return null;
        }
        HttpTarget target = target(result.destination(), 1, null, null, listener, false, null);
        List<HttpRouteEntry> routes = List.of(new HttpRouteEntry(null, "default", List.of(), null, null, null, null,
                HeaderEdits.NONE, HeaderEdits.NONE, List.of(target), WeightedPicker.SINGLE, List.of(), null,
                ISTIO_DEFAULT_RETRY, null, null));
        List<String> names = new ArrayList<>();
        // The bare name is a one-port service's, whatever port the client writes; a multi-port service's port 80
        // route takes a Host without a port by its name:80 (VirtualHostTable).
        for (String name : entry ? List.of(service.host()) : HostNames.expand(service.name(), service.namespace())) {
            names.add(name + ":" + port.number());
            if (service.ports().size() == 1) {
                names.add(name);
            }
        }
        CompiledHosts.Default route = new CompiledHosts.Default(result.destination(), routes, List.copyOf(names));
        defaultRoutes.put(key, route);
        return route;
    }

    /**
     * Istio's sidecar default: {@code name:port} (and {@code name} for a one-port service) to all endpoints, by name,
     * for Services and ServiceEntry hosts;
     * the table yields to a virtual host of the same name. The last build's map when every default route is the
     * same as then, in the same order.
     */
    private Map<String, List<HttpRouteEntry>> defaults(String listener, SidecarScope imported) {
        List<CompiledHosts.Default> order = new ArrayList<>();
        // A short name two namespaces share (api, api:8080) is the node's own namespace's service, as a sidecar
        // resolves it, else the first namespace by name: the same on every node and after every restart (the
        // registry's map order, salted per JVM, decided it before).
        String own = imported.namespace();
        for (int pass = 0; pass < 2; pass++) {
            for (MeshService service : resolver.registry().services()) {
                if (service.namespace().equals(own) != (pass == 0)
                        || !imported.imports(service.namespace(), service.host())) {
                    continue;
                }
                for (ServicePortInfo port : service.ports()) {
                    CompiledHosts.Default route = defaultRoute(service, port, listener);
                    if (route != null) {
                        order.add(route);
                    }
                }
            }
        }
        // ServiceEntry hosts too, as Istio's sidecars get a virtual host for every service they import: by their
        // exact host, on their HTTP ports (a Service of the same name comes first, as in Istio).
        for (MeshService entry : resolver.registry().entries()) {
            if (entry.host().startsWith("*") || !imported.imports(entry.namespace(), entry.host())) {
                continue;
            }
            for (ServicePortInfo port : entry.ports()) {
                // A Service of the same host and port holds it (its route's key, and names, are the Service's).
                if (speaksHttp(port) && !defaultRoutes.containsKey(new CompiledHosts.DefaultKey(entry.host(),
                        port.number()))) {
                    CompiledHosts.Default route = defaultRoute(entry, port, listener);
                    if (route != null) {
                        order.add(route);
                    }
                }
            }
        }
        defaultOrder = order;
        if (sameObjects(order, previous.defaultOrder)) {
            defaultTable = previous.defaultTable;
            return defaultTable;
        }
        // Sized for eight names a one-port service has (four, with and without the port): no rehash as it grows.
        Map<String, List<HttpRouteEntry>> names = new HashMap<>(capacityFor(8 * order.size()));
        for (CompiledHosts.Default route : order) {
            route.names().forEach(name -> names.putIfAbsent(name, route.routes()));
        }
        defaultTable = java.util.Collections.unmodifiableMap(names);
        return defaultTable;
    }

    /** A port a ServiceEntry declares HTTP, HTTP2, gRPC or gRPC-Web (others carry no HTTP the mesh port could route). */
    private static boolean speaksHttp(ServicePortInfo port) {
        String p = port.protocol() == null ? "" : port.protocol().toUpperCase(java.util.Locale.ROOT);
        return p.equals("HTTP") || p.equals("HTTP2") || p.equals("GRPC") || p.equals("GRPC-WEB");
    }

    private static boolean sameObjects(List<?> a, List<?> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) != b.get(i)) {
                return false;
            }
        }
        return true;
    }
}
