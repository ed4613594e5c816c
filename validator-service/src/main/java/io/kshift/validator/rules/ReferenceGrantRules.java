package io.kshift.validator.rules;

import io.kshift.model.gateway.BackendRef;
import io.kshift.model.gateway.HttpRouteFilter;
import io.kshift.model.gateway.HttpRouteRule;
import io.kshift.model.gateway.HttpRouteSpec;
import io.kshift.model.gateway.ReferenceGrantSpec;
import io.kshift.model.gateway.TcpRouteRule;
import io.kshift.model.gateway.TcpRouteSpec;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;

/**
 * Gateway API cross-namespace references: a TCPRoute's or HTTPRoute's backendRef (or mirror) to a Service in
 * another namespace needs a ReferenceGrant in that namespace allowing that route kind from the route's namespace.
 * Without one the reference is refused: the other namespace's owner decides which Gateway API routes may send it
 * traffic. Istio VirtualServices are not covered (Istio has no such rule); a namespaced editor's hosts are limited
 * by config-service's NamespaceScope instead.
 */
final class ReferenceGrantRules {
    private ReferenceGrantRules() {
    }

    static void check(MeshConfig config, Resource route, Findings findings) {
        if (route.type() == Kind.TCP_ROUTE || route.type() == Kind.TLS_ROUTE || route.type() == Kind.UDP_ROUTE) {
            java.util.List<TcpRouteRule> rules = route.type() == Kind.TLS_ROUTE
                    ? route.specAs(io.kshift.model.gateway.TlsRouteSpec.class).rules()
                    : io.kshift.model.routing.ListenerBindings.l4Spec(route).rules();
            for (int i = 0; i < rules.size(); i++) {
                backends(config, route, rules.get(i).backendRefs(), "spec.rules[" + i + "].backendRefs", findings);
            }
        } else if (route.type() == Kind.HTTP_ROUTE || route.type() == Kind.GRPC_ROUTE) {
            java.util.List<HttpRouteRule> rules = io.kshift.model.routing.GatewayApiHttp.spec(route).rules();
            for (int i = 0; i < rules.size(); i++) {
                String at = "spec.rules[" + i + "]";
                backends(config, route, rules.get(i).backendRefs(), at + ".backendRefs", findings);
                java.util.List<HttpRouteFilter> filters = rules.get(i).filters();
                for (int f = 0; f < filters.size(); f++) {
                    if (filters.get(f).requestMirror() != null) {
                        backend(config, route, filters.get(f).requestMirror().backendRef(),
                                at + ".filters[" + f + "].requestMirror.backendRef", findings);
                    }
                }
            }
        }
    }

    private static void backends(MeshConfig config, Resource route, java.util.List<BackendRef> refs, String field,
                                 Findings findings) {
        for (int b = 0; b < refs.size(); b++) {
            backend(config, route, refs.get(b), field + "[" + b + "]", findings);
        }
    }

    private static void backend(MeshConfig config, Resource route, BackendRef ref, String field, Findings findings) {
        String ns = ref.namespace();
        if (ns == null || ns.equals(route.namespace())) {
            return;
        }
        boolean granted = config.ofKind(Kind.REFERENCE_GRANT).stream().filter(g -> g.namespace().equals(ns))
                .anyMatch(g -> g.specAs(ReferenceGrantSpec.class).allowsService(route.type().kindName(),
                        route.namespace(), ref.name()));
        if (!granted) {
            findings.error(route.key(), field + ".namespace", "Service " + ns + "/" + ref.name() + " is in another"
                    + " namespace: a ReferenceGrant in " + ns + " must allow " + route.type().kindName()
                    + "s from namespace " + route.namespace() + " to refer to it");
        }
    }
}
