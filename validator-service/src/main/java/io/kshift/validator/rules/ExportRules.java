package io.kshift.validator.rules;

import io.kshift.model.istio.VirtualServiceSpec;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.registry.DestinationResolver;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import io.kshift.model.routing.Delegation;
import io.kshift.model.routing.Exports;
import io.kshift.model.routing.NodeScope;
import io.kshift.model.routing.WeightedTarget;
import java.util.List;
import java.util.function.Supplier;

/**
 * A route proxy nodes serve must resolve as those nodes see the config. A node resolves destinations only among
 * what is exported to its namespace ({@link Exports}; {@code istio-system} unless configured otherwise), so a route
 * the default nodes serve whose Service, ServiceEntry or DestinationRule is exported only to {@code .} of another
 * namespace passes the route rules (which see everything) and then answers 503 on every such node. A change that
 * makes it so is refused (a route it writes, or one whose Service's exportTo it changes); a route it does not write
 * that was so already (accepted before this rule) is warned about, as rules added later never block unrelated
 * changes. Default nodes are those
 * of {@code kshift.proxy.namespace} and {@code kshift.proxy.labels} as shipped ({@code istio=ingressgateway}).
 */
final class ExportRules {
    private static final List<Kind> ROUTES = List.of(Kind.VIRTUAL_SERVICE, Kind.HTTP_ROUTE, Kind.GRPC_ROUTE,
            Kind.TCP_ROUTE, Kind.TLS_ROUTE, Kind.UDP_ROUTE);
    /** What resolution reads: a view that leaves none of these out resolves every destination as the whole does. */
    private static final List<Kind> INPUTS = List.of(Kind.SERVICE, Kind.SERVICE_ENTRY, Kind.WORKLOAD_ENTRY,
            Kind.DESTINATION_RULE);
    private static final java.util.Map<String, String> DEFAULT_LABELS = java.util.Map.of("istio", "ingressgateway");

    private ExportRules() {
    }

    /**
     * {@code routes}: the routes the route rules check; {@code touched}: what this change writes; {@code live}: the
     * config it is made to (null: none).
     */
    static void check(MeshConfig live, MeshConfig config, DestinationResolver whole, Iterable<Resource> routes,
                      java.util.Set<io.kshift.model.resource.ResourceKey> touched, Findings findings) {
        MeshConfig seen = Exports.visibleIn(config, NodeScope.DEFAULT_NAMESPACE);
        // Private rules (a workloadSelector, or exportTo "." alone) are looked up otherwise by a node than by the
        // validator's view of everything: the default nodes' view is then worked out even where exports hide nothing.
        boolean nodeSpecific = config.ofKind(Kind.DESTINATION_RULE).stream().anyMatch(DestinationResolver::privateRule)
                || ownEntryPreferred(config);
        if (!nodeSpecific && (seen == config
                || INPUTS.stream().allMatch(k -> seen.ofKind(k).size() == config.ofKind(k).size()))) {
            return;
        }
        Supplier<DestinationResolver> nodes = lazy(seen, config);
        Supplier<DestinationResolver> before = live == null ? null
                : lazy(Exports.visibleIn(live, NodeScope.DEFAULT_NAMESPACE), live);
        for (Resource route : withDelegates(config, routes)) {
            if (!ROUTES.contains(route.type()) || !servedByDefaultNodes(config, route)) {
                continue;
            }
            for (WeightedTarget t : RouteTargets.of(route)) {
                if (!t.resolve(whole).ok()) {
                    continue; // the route rules name that problem already
                }
                DestinationResolver.Result there = t.resolve(nodes.get());
                if (!there.ok()) {
                    String message = "as proxy nodes of namespace " + NodeScope.DEFAULT_NAMESPACE + " see the mesh"
                            + " (only what is exported there, and of DestinationRules with a workloadSelector those"
                            + " selecting them): " + there.problem().message() + "; they serve this route and would"
                            + " answer 503: export what it needs to " + NodeScope.DEFAULT_NAMESPACE + " (exportTo, or"
                            + " the Service's " + Exports.SERVICE_ANNOTATION + " annotation), or define it in a rule"
                            + " that applies to them";
                    String field = RouteTargets.field(t, there.problem().part());
                    // Said only where the change did not make it so: the route unwritten, served here before and
                    // unresolved then too.
                    boolean already = before != null && !touched.contains(route.key())
                            && servedByDefaultNodes(live, route) && !t.resolve(before.get()).ok();
                    if (already) {
                        findings.warn(route.key(), field, message);
                    } else {
                        findings.error(route.key(), field, message);
                    }
                }
            }
        }
    }

    /** {@code routes} and the delegates their routes name: a root written may serve a delegate it did not before. */
    private static java.util.Set<Resource> withDelegates(MeshConfig config, Iterable<Resource> routes) {
        java.util.Set<Resource> out = new java.util.LinkedHashSet<>();
        for (Resource route : routes) {
            out.add(route);
            if (route.type() == Kind.VIRTUAL_SERVICE) {
                for (var http : route.specAs(VirtualServiceSpec.class).http()) {
                    if (http.delegate() != null) {
                        Delegation.target(config, http.delegate(), route.namespace()).ifPresent(out::add);
                    }
                }
            }
        }
        return out;
    }

    /**
     * Whether a ServiceEntry of the default nodes' namespace shares a host with an older one of another namespace:
     * those nodes use their own namespace's (ServiceRegistry), where the view of everything takes the oldest.
     */
    private static boolean ownEntryPreferred(MeshConfig config) {
        java.util.Map<String, String> holder = new java.util.HashMap<>();
        for (Resource r : config.oldestFirst(Kind.SERVICE_ENTRY)) {
            for (String host : r.specAs(io.kshift.model.istio.ServiceEntrySpec.class).hosts()) {
                String first = holder.putIfAbsent(host, r.namespace());
                if (first != null && !first.equals(NodeScope.DEFAULT_NAMESPACE)
                        && r.namespace().equals(NodeScope.DEFAULT_NAMESPACE)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A resolver on {@code view} as the default nodes resolve, made when first asked for: most checks need none. */
    private static Supplier<DestinationResolver> lazy(MeshConfig view, MeshConfig whole) {
        return new Supplier<>() {
            private DestinationResolver made;

            @Override
            public DestinationResolver get() {
                if (made == null) {
                    made = DefaultNodes.resolver(view, whole);
                }
                return made;
            }
        };
    }

    /**
     * The last default-node resolver, carried to the next view as a proxy carries its own
     * ({@link DestinationResolver#after}): with private DestinationRules in the mesh the check runs on every change,
     * and most changes (a route's weights) leave everything a resolver reads as it was.
     */
    private static final class DefaultNodes {
        private static final NodeScope NODE = new NodeScope(NodeScope.DEFAULT_NAMESPACE, DEFAULT_LABELS);
        private static MeshConfig view;
        private static MeshConfig viewOf;
        private static DestinationResolver resolver;

        /** {@code whole}: the config {@code next} is a view of; its changed keys show hidden entries changing too. */
        static synchronized DestinationResolver resolver(MeshConfig next, MeshConfig whole) {
            if (next != view || whole != viewOf) {
                resolver = resolver == null ? new DestinationResolver(next, NODE, whole)
                        : resolver.after(next, viewOf.changedKeys(whole), whole);
                view = next;
                viewOf = whole;
            }
            return resolver;
        }
    }

    /**
     * Whether default nodes serve the route: exported to their namespace (a delegate: a root of it served here), and
     * bound where they listen: the mesh port, an Istio Gateway whose selector their labels satisfy, or a
     * Gateway API Gateway or Service parent (every node's).
     */
    private static boolean servedByDefaultNodes(MeshConfig config, Resource route) {
        if (route.type() == Kind.VIRTUAL_SERVICE && Delegation.isDelegate(route.specAs(VirtualServiceSpec.class))) {
            // Served through its roots, seen by their namespace: where one of them is served here, so are its routes.
            return Delegation.rootsServing(config, route).stream().anyMatch(root -> servedByDefaultNodes(config, root));
        }
        if (!Exports.exportedTo(route, NodeScope.DEFAULT_NAMESPACE)) {
            return false;
        }
        return switch (route.type()) {
            case VIRTUAL_SERVICE -> {
                VirtualServiceSpec spec = route.specAs(VirtualServiceSpec.class);
                yield spec.gateways().isEmpty() || spec.gateways().stream().anyMatch(ref ->
                        VirtualServiceSpec.MESH_GATEWAY.equals(ref) || RouteRules.gateway(config, ref,
                                route.namespace()).filter(gw -> io.kshift.model.routing.GatewaySelection.selects(
                                gw.specAs(io.kshift.model.istio.GatewaySpec.class).selector(), DEFAULT_LABELS))
                                .isPresent());
            }
            case HTTP_ROUTE, GRPC_ROUTE -> !io.kshift.model.routing.GatewayApiHttp.spec(route).parentRefs().isEmpty();
            case TLS_ROUTE -> !route.specAs(io.kshift.model.gateway.TlsRouteSpec.class).parentRefs().isEmpty();
            default -> !io.kshift.model.routing.ListenerBindings.l4Spec(route).parentRefs().isEmpty();
        };
    }
}
