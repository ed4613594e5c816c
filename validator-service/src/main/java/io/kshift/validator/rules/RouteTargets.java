package io.kshift.validator.rules;

import io.kshift.model.gateway.BackendRef;
import io.kshift.model.gateway.HttpRouteFilter;
import io.kshift.model.gateway.HttpRouteRule;
import io.kshift.model.gateway.TcpRouteRule;
import io.kshift.model.istio.HttpRoute;
import io.kshift.model.istio.VirtualServiceSpec;
import io.kshift.model.resource.Resource;
import io.kshift.model.routing.ListenerBindings;
import io.kshift.model.routing.WeightedTarget;
import java.util.ArrayList;
import java.util.List;

/** Every destination a route sends traffic to, its mirrors included, with the field that names it. */
final class RouteTargets {
    private RouteTargets() {
    }

    static List<WeightedTarget> of(Resource route) {
        List<WeightedTarget> out = new ArrayList<>();
        switch (route.type()) {
            case VIRTUAL_SERVICE -> virtualService(route, out);
            case HTTP_ROUTE, GRPC_ROUTE -> {
                List<HttpRouteRule> rules = io.kshift.model.routing.GatewayApiHttp.spec(route).rules();
                for (int i = 0; i < rules.size(); i++) {
                    String field = "spec.rules[" + i + "]";
                    backends(rules.get(i).backendRefs(), route.namespace(), field + ".backendRefs", out);
                    for (int f = 0; f < rules.get(i).filters().size(); f++) {
                        HttpRouteFilter filter = rules.get(i).filters().get(f);
                        if (filter.type() == HttpRouteFilter.Type.RequestMirror && service(filter.requestMirror()
                                .backendRef())) {
                            out.add(ListenerBindings.backendTarget(filter.requestMirror().backendRef(),
                                    route.namespace(), field + ".filters[" + f + "].requestMirror.backendRef"));
                        }
                    }
                }
            }
            case TCP_ROUTE, UDP_ROUTE -> l4(ListenerBindings.l4Spec(route).rules(), route.namespace(), out);
            case TLS_ROUTE -> l4(route.specAs(io.kshift.model.gateway.TlsRouteSpec.class).rules(), route.namespace(),
                    out);
            default -> {
            }
        }
        return out;
    }

    /**
     * The field where {@code part} of {@code t}'s destination is written ({@code spec.http[0].mirror.host},
     * {@code spec.tcp[0].route[1].destination.subset}, {@code spec.rules[0].backendRefs[0].name}).
     */
    static String field(WeightedTarget t, io.kshift.model.registry.DestinationResolver.Part part) {
        return t.field().endsWith(".mirror") ? t.field() + "." + part.name().toLowerCase(java.util.Locale.ROOT)
                : t.field() + RouteRules.suffix(t, part);
    }

    /** A VirtualService's tcp, http (and their mirrors) and tls destinations. */
    static List<WeightedTarget> ofVirtualService(Resource vs) {
        List<WeightedTarget> out = new ArrayList<>();
        virtualService(vs, out);
        return out;
    }

    private static void virtualService(Resource vs, List<WeightedTarget> out) {
        VirtualServiceSpec spec = vs.specAs(VirtualServiceSpec.class);
        for (int i = 0; i < spec.tcp().size(); i++) {
            out.addAll(ListenerBindings.istioTargets(spec.tcp().get(i), vs.namespace(), "spec.tcp[" + i + "]"));
        }
        for (int i = 0; i < spec.http().size(); i++) {
            HttpRoute route = spec.http().get(i);
            out.addAll(ListenerBindings.istioTargets(route, vs.namespace(), "spec.http[" + i + "]"));
            for (int m = 0; m < route.allMirrors().size(); m++) {
                // Named as written: the single `mirror` is a Destination itself, `mirrors[k]` hold one.
                String at = route.mirror() != null && m == 0 ? "spec.http[" + i + "].mirror"
                        : "spec.http[" + i + "].mirrors[" + (route.mirror() != null ? m - 1 : m) + "]";
                out.add(ListenerBindings.target(at, 1, route.allMirrors().get(m).destination(), vs.namespace()));
            }
        }
        for (int i = 0; i < spec.tls().size(); i++) {
            out.addAll(ListenerBindings.istioTargets(spec.tls().get(i), vs.namespace(), "spec.tls[" + i + "]"));
        }
    }

    private static void l4(List<TcpRouteRule> rules, String namespace, List<WeightedTarget> out) {
        for (int i = 0; i < rules.size(); i++) {
            backends(rules.get(i).backendRefs(), namespace, "spec.rules[" + i + "].backendRefs", out);
        }
    }

    private static void backends(List<BackendRef> refs, String namespace, String field, List<WeightedTarget> out) {
        List<WeightedTarget> all = ListenerBindings.backendTargets(refs, namespace, field);
        for (int b = 0; b < refs.size(); b++) {
            if (service(refs.get(b))) {
                out.add(all.get(b));
            }
        }
    }

    /** Backends the route rules resolve at all: Services with a port (others are refused by those rules). */
    private static boolean service(BackendRef ref) {
        return ref != null && (ref.kind() == null || "Service".equals(ref.kind())) && ref.port() != null;
    }
}
