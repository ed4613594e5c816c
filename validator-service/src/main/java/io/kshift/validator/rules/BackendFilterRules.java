package io.kshift.validator.rules;

import io.kshift.model.gateway.BackendRef;
import io.kshift.model.gateway.HttpRouteFilter;
import io.kshift.model.gateway.HttpRouteRule;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import io.kshift.model.routing.GatewayApiHttp;
import io.kshift.model.routing.ListenerBindings;
import java.util.List;
import java.util.Set;

/**
 * Filters on one backend (Gateway API {@code HTTPBackendRef.filters}): an HTTPRoute's or GRPCRoute's backend may
 * modify the request headers sent to it and the response headers it answers with, as Istio's gateways serve them
 * (Istio's headers of one destination); any other filter belongs on the rule. A TCP, TLS or UDP route's backends and
 * a mirror's backend have no filters in the API: one given there is refused, not silently left unapplied.
 */
final class BackendFilterRules {
    private static final Set<HttpRouteFilter.Type> ON_A_BACKEND = Set.of(HttpRouteFilter.Type.RequestHeaderModifier,
            HttpRouteFilter.Type.ResponseHeaderModifier);

    private BackendFilterRules() {
    }

    static void check(Resource route, Findings findings) {
        switch (route.type()) {
            case HTTP_ROUTE, GRPC_ROUTE -> {
                List<HttpRouteRule> rules = GatewayApiHttp.spec(route).rules();
                for (int i = 0; i < rules.size(); i++) {
                    HttpRouteRule rule = rules.get(i);
                    String field = "spec.rules[" + i + "]";
                    for (int b = 0; b < rule.backendRefs().size(); b++) {
                        served(route, rule.backendRefs().get(b).filters(), field + ".backendRefs[" + b + "].filters",
                                findings);
                    }
                    for (int f = 0; f < rule.filters().size(); f++) {
                        HttpRouteFilter filter = rule.filters().get(f);
                        if (filter.type() == HttpRouteFilter.Type.RequestMirror && filter.requestMirror() != null) {
                            none(route, filter.requestMirror().backendRef(), field + ".filters[" + f
                                    + "].requestMirror.backendRef.filters", "a mirror's backend", findings);
                        }
                    }
                }
            }
            case TCP_ROUTE, UDP_ROUTE -> {
                var rules = ListenerBindings.l4Spec(route).rules();
                for (int i = 0; i < rules.size(); i++) {
                    for (int b = 0; b < rules.get(i).backendRefs().size(); b++) {
                        none(route, rules.get(i).backendRefs().get(b), "spec.rules[" + i + "].backendRefs[" + b
                                + "].filters", "a " + route.type().kindName() + "'s backend", findings);
                    }
                }
            }
            case TLS_ROUTE -> {
                var rules = route.specAs(io.kshift.model.gateway.TlsRouteSpec.class).rules();
                for (int i = 0; i < rules.size(); i++) {
                    for (int b = 0; b < rules.get(i).backendRefs().size(); b++) {
                        none(route, rules.get(i).backendRefs().get(b), "spec.rules[" + i + "].backendRefs[" + b
                                + "].filters", "a TLSRoute's backend", findings);
                    }
                }
            }
            default -> {
            }
        }
    }

    private static void served(Resource route, List<HttpRouteFilter> filters, String field, Findings findings) {
        HttpRouteSchemaRules.filters(route.key(), filters, field, findings);
        for (int f = 0; f < filters.size(); f++) {
            HttpRouteFilter.Type type = filters.get(f).type();
            if (type != null && !ON_A_BACKEND.contains(type)) {
                findings.error(route.key(), field + "[" + f + "].type", "a " + type + " filter is not served on one"
                        + " backend by this kshift version: a backend's filters modify its request and response"
                        + " headers; put it on the rule");
            }
        }
    }

    private static void none(Resource route, BackendRef backend, String field, String what, Findings findings) {
        if (backend != null && !backend.filters().isEmpty()) {
            findings.error(route.key(), field, "unknown field: " + what + " takes no filters");
        }
    }

    static boolean appliesTo(Kind kind) {
        return kind == Kind.HTTP_ROUTE || kind == Kind.GRPC_ROUTE || kind == Kind.TCP_ROUTE
                || kind == Kind.UDP_ROUTE || kind == Kind.TLS_ROUTE;
    }
}
