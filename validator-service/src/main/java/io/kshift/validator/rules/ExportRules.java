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
 * exported there whose Service, ServiceEntry or DestinationRule is exported only to {@code .} of another namespace
 * passes the route rules (which see everything) and then answers 503 on every node. Refused here, naming the
 * destination, as Istio's gateway would hold a route to a cluster it does not have.
 */
final class ExportRules {
    private static final List<Kind> ROUTES = List.of(Kind.VIRTUAL_SERVICE, Kind.HTTP_ROUTE, Kind.GRPC_ROUTE,
            Kind.TCP_ROUTE, Kind.TLS_ROUTE, Kind.UDP_ROUTE);

    private ExportRules() {
    }

    /**
     * {@code routes}: the routes to check (those the route rules check). {@code nodes}: a resolver on the config
     * as nodes of the default namespace see it, made only when that view leaves something out.
     */
    static void check(MeshConfig config, DestinationResolver whole, Iterable<Resource> routes, Findings findings) {
        MeshConfig seen = Exports.visibleIn(config, NodeScope.DEFAULT_NAMESPACE);
        if (seen == config) {
            return;
        }
        Supplier<DestinationResolver> nodes = new Supplier<>() {
            private DestinationResolver made;

            @Override
            public DestinationResolver get() {
                if (made == null) {
                    made = new DestinationResolver(seen);
                }
                return made;
            }
        };
        for (Resource route : routes) {
            if (!ROUTES.contains(route.type()) || !servedByDefaultNodes(route)) {
                continue;
            }
            for (WeightedTarget t : RouteTargets.of(route)) {
                if (!t.resolve(whole).ok()) {
                    continue; // the route rules name that problem already
                }
                DestinationResolver.Result there = t.resolve(nodes.get());
                if (!there.ok()) {
                    findings.error(route.key(), RouteTargets.field(t, there.problem().part()), "as proxy nodes of"
                            + " namespace " + NodeScope.DEFAULT_NAMESPACE + " see the mesh (only what is exported"
                            + " there): " + there.problem().message() + "; they serve this route and would answer"
                            + " 503: export what it needs to " + NodeScope.DEFAULT_NAMESPACE + " (exportTo, or the"
                            + " Service's " + Exports.SERVICE_ANNOTATION + " annotation)");
                }
            }
        }
    }

    /** Whether the default namespace's nodes serve the route: exported there, and not a delegate (served by roots). */
    private static boolean servedByDefaultNodes(Resource route) {
        if (route.type() == Kind.VIRTUAL_SERVICE && Delegation.isDelegate(route.specAs(VirtualServiceSpec.class))) {
            return false;
        }
        return Exports.exportedTo(route, NodeScope.DEFAULT_NAMESPACE);
    }
}
