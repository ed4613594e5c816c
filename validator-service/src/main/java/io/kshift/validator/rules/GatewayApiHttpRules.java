package io.kshift.validator.rules;

import io.kshift.model.gateway.BackendRef;
import io.kshift.model.gateway.HttpRouteFilter;
import io.kshift.model.gateway.HttpRouteRule;
import io.kshift.model.gateway.HttpRouteSpec;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.registry.DestinationResolver;
import io.kshift.model.resource.Resource;
import io.kshift.model.resource.ResourceKey;
import io.kshift.model.routing.HttpBindings;
import io.kshift.model.routing.ListenerBindings;
import io.kshift.model.routing.WeightedTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gateway API {@code HTTPRoute} (and {@code GRPCRoute}, as the HTTPRoute it is served as): its parentRefs name existing HTTP listeners, each rule has backends or a
 * redirect (not both), and every backend and mirror is a Service that resolves (make-before-break, as for
 * VirtualServices). That each filter carries its type's field is a field rule ({@code @FilterFieldForType}).
 */
final class GatewayApiHttpRules {
    private static final java.util.Set<String> HTTP_LISTENERS = java.util.Set.of("HTTP", "HTTP2", "HTTPS");

    private static final Set<Integer> REDIRECT_CODES = Set.of(301, 302, 303, 307, 308);

    private GatewayApiHttpRules() {
    }

    /** {@code grpc}: {@link HttpBindings#grpcMeshServices} of {@code config}, found once for every route checked. */
    static void check(MeshConfig config, DestinationResolver resolver, Resource route,
                      Map<String, java.util.Set<Integer>> grpc, Findings findings) {
        HttpRouteSpec spec = io.kshift.model.routing.GatewayApiHttp.spec(route);
        ResourceKey key = route.key();
        String kind = route.type().kindName();
        if (spec.parentRefs().isEmpty()) {
            // The Gateway API allows it (parentRefs is optional): such a route attaches to nothing.
            findings.warn(key, "spec.parentRefs", "no parentRefs: this " + kind + " attaches to no Gateway and"
                    + " carries no traffic");
        }
        for (int i = 0; i < spec.parentRefs().size(); i++) {
            io.kshift.model.gateway.ParentReference ref = spec.parentRefs().get(i);
            if (HttpBindings.isServiceParent(ref)) {
                meshParent(config, route, ref, "spec.parentRefs[" + i + "]", grpc, findings);
            } else {
                ParentRefRules.check(config, route, ref, "spec.parentRefs[" + i + "]", HTTP_LISTENERS,
                        (kind.startsWith("H") ? "an " : "a ") + kind + " attaches to HTTP and HTTPS listeners",
                        findings);
            }
        }
        if (spec.rules().isEmpty()) {
            findings.error(key, "spec.rules", "at least one rule is required");
        }
        for (int i = 0; i < spec.rules().size(); i++) {
            rule(resolver, route, spec.rules().get(i), "spec.rules[" + i + "]", findings);
        }
    }

    /**
     * The CRD's rule: a try may not outlast the request (unless the request has none: {@code 0s}). A warning: the
     * API server refuses it before kshift sees it, and where it came through, the request's timeout ends first.
     */
    private static void timeouts(ResourceKey key, HttpRouteRule.Timeouts t, String field, Findings findings) {
        if (t == null || t.request() == null || t.backendRequest() == null) {
            return;
        }
        var request = io.kshift.model.mesh.IstioDuration.parse(t.request());
        var backend = io.kshift.model.mesh.IstioDuration.parse(t.backendRequest());
        if (request.isPresent() && backend.isPresent() && !request.get().isZero()
                && backend.get().compareTo(request.get()) > 0) {
            findings.warn(key, field + ".backendRequest", "longer than the request timeout (" + t.request()
                    + "), which ends the request first (the CRD refuses this)");
        }
    }

    /** The CRD's rules for a path modifier: its type names the one replacement it carries, and it must carry it. */
    private static void pathModifier(ResourceKey key, HttpRouteFilter.PathModifier p, String at, Findings findings) {
        if (p.type() == null) {
            return; // reported as a missing field
        }
        boolean full = p.type() == HttpRouteFilter.PathModifierType.ReplaceFullPath;
        String wanted = full ? "replaceFullPath" : "replacePrefixMatch";
        String other = full ? "replacePrefixMatch" : "replaceFullPath";
        if ((full ? p.replaceFullPath() : p.replacePrefixMatch()) == null) {
            findings.laterRule(key, at + "." + wanted, "is required when type is " + p.type());
        }
        if ((full ? p.replacePrefixMatch() : p.replaceFullPath()) != null) {
            findings.laterRule(key, at + "." + other, "must not be set when type is " + p.type());
        }
    }

    private static void rule(DestinationResolver resolver, Resource route, HttpRouteRule rule, String field,
                             Findings findings) {
        ResourceKey key = route.key();
        timeouts(key, rule.timeouts(), field + ".timeouts", findings);
        boolean redirects = false;
        for (int f = 0; f < rule.filters().size(); f++) {
            HttpRouteFilter filter = rule.filters().get(f);
            String at = field + ".filters[" + f + "]";
            HttpRouteFilter.PathModifier prefixed = filter.type() == HttpRouteFilter.Type.URLRewrite
                    ? filter.urlRewrite().path() : filter.type() == HttpRouteFilter.Type.RequestRedirect
                    ? filter.requestRedirect().path() : null;
            String what = filter.type() == HttpRouteFilter.Type.URLRewrite ? ".urlRewrite.path" : ".requestRedirect.path";
            if (prefixed != null) {
                pathModifier(key, prefixed, at + what, findings);
            }
            // The CRD defaults a rule without matches, and a match without a path, to the PathPrefix "/".
            if (prefixed != null && prefixed.type() == HttpRouteFilter.PathModifierType.ReplacePrefixMatch
                    && !(rule.matches().isEmpty() || rule.matches().size() == 1 && (rule.matches().get(0).path() == null
                    || rule.matches().get(0).path().effectiveType() == io.kshift.model.gateway.HttpRouteMatch.PathType.PathPrefix))) {
                findings.error(key, at + what, "ReplacePrefixMatch needs the rule to have exactly one"
                        + " match, on a PathPrefix path (the prefix it replaces)");
            }
            if (filter.type() == HttpRouteFilter.Type.RequestRedirect) {
                redirects = true;
                Integer code = filter.requestRedirect().statusCode();
                if (code != null && !REDIRECT_CODES.contains(code)) {
                    findings.error(key, at + ".requestRedirect.statusCode", "must be one of 301, 302, 303, 307, 308");
                }
            }
            if (filter.type() == HttpRouteFilter.Type.RequestMirror) {
                HttpRouteFilter.RequestMirror mirror = filter.requestMirror();
                if (mirror.percent() != null && mirror.fraction() != null) {
                    findings.error(key, at + ".requestMirror", "percent and fraction are exclusive");
                } else if (mirror.share() != null && mirror.share() > 100) {
                    findings.error(key, at + ".requestMirror.fraction", "numerator must not exceed denominator");
                }
                if (RouteRules.serviceBackend(key, at + ".requestMirror.backendRef", mirror.backendRef(), findings)) {
                    resolve(resolver, key, ListenerBindings.backendTarget(mirror.backendRef(),
                            route.namespace(), at + ".requestMirror.backendRef"), findings);
                }
            }
        }
        if (redirects && !rule.backendRefs().isEmpty()) {
            findings.error(key, field + ".backendRefs", "a rule with a RequestRedirect filter cannot have backendRefs");
        }
        if (!redirects && rule.backendRefs().isEmpty()) {
            findings.warn(key, field + ".backendRefs", "none: every request this rule matches is answered 500,"
                    + " as the Gateway API specifies for a rule that neither forwards nor redirects");
        }
        List<WeightedTarget> targets = new ArrayList<>();
        List<WeightedTarget> all = ListenerBindings.backendTargets(rule.backendRefs(), route.namespace(),
                field + ".backendRefs");
        for (int b = 0; b < all.size(); b++) {
            if (RouteRules.serviceBackend(key, all.get(b).field(), rule.backendRefs().get(b), findings)) {
                targets.add(all.get(b));
            }
        }
        RouteRules.targets(key, field + ".backendRefs", targets, resolver, findings, RouteRules.Traffic.HTTP);
    }

    private static void resolve(DestinationResolver resolver, ResourceKey key, WeightedTarget t, Findings findings) {
        DestinationResolver.Result result = t.resolve(resolver);
        if (!result.ok()) {
            RouteRules.unresolved(key, t.field() + (result.problem().part() == DestinationResolver.Part.HOST ? ".name"
                    : "." + result.problem().part().name().toLowerCase(java.util.Locale.ROOT)), "mirror: ", t, result,
                    findings);
        } else {
            RouteRules.carried(key, t.field(), "mirror " + t.describe(), result, RouteRules.Traffic.HTTP, findings);
        }
    }

    /**
     * Gateway API mesh routing (GAMMA): a Service parent. The route serves requests for that Service on each node's
     * mesh port, as a VirtualService bound to {@code mesh} does. Only a producer route (in the Service's own
     * namespace) is served: a consumer route applies to clients of one namespace, which the mesh port cannot tell.
     */
    private static void meshParent(MeshConfig config, Resource route, io.kshift.model.gateway.ParentReference ref,
                                   String field, Map<String, java.util.Set<Integer>> grpc, Findings findings) {
        if (!ref.name().matches("[a-z]([-a-z0-9]{0,61}[a-z0-9])?")) {
            // A Service name is one DNS label: a dotted one would claim hosts of another namespace on the mesh port.
            findings.error(route.key(), field + ".name", "'" + ref.name() + "' is not a Service name (one DNS label:"
                    + " lower case letters, digits and '-')");
            return;
        }
        String ns = ref.namespace() == null ? route.namespace() : ref.namespace();
        if (!ns.equals(route.namespace())) {
            findings.error(route.key(), field + ".namespace", "a route for Service " + ns + "/" + ref.name()
                    + " from namespace " + route.namespace() + " (a consumer route) is not served by this kshift"
                    + " version: the mesh port cannot tell a client's namespace; put the route in " + ns);
            return;
        }
        java.util.Optional<Resource> service = config.get(new ResourceKey(io.kshift.model.resource.Kind.SERVICE, ns,
                ref.name()));
        if (service.isEmpty()) {
            findings.note(route.key(), io.kshift.model.status.StatusNote.noMatchingParent(field + ".name",
                    "Service " + ns + "/" + ref.name() + " does not exist (yet): this route serves its mesh traffic"
                            + " once it is created"));
            return;
        }
        io.kshift.model.gateway.ParentReference byPort = HttpBindings.byPort(config, ns, ref).orElse(ref);
        if (route.type() == io.kshift.model.resource.Kind.HTTP_ROUTE && HttpBindings.conflicted(grpc, ns, byPort)) {
            findings.note(route.key(), new io.kshift.model.status.StatusNote(io.kshift.model.status.StatusNote.ACCEPTED,
                    "Conflicted", field, "a GRPCRoute also routes Service " + ns + "/" + ref.name()
                            + (byPort.port() == null ? "" : " port " + byPort.port()) + ": this HTTPRoute is ignored"
                            + " for its mesh traffic (GEP-1426: the GRPCRoute wins)"));
        }
        List<io.kshift.model.k8s.KubeServicePort> ports = service.get().specAs(io.kshift.model.k8s.ServiceSpec.class)
                .ports();
        if (ref.port() != null && ports.stream().noneMatch(p -> ref.port().equals(p.port()))) {
            findings.error(route.key(), field + ".port", "Service " + ns + "/" + ref.name() + " has no port "
                    + ref.port() + "; ports: " + ports.stream().map(io.kshift.model.k8s.KubeServicePort::port).toList());
        }
        if (ref.sectionName() != null && ports.stream().noneMatch(p -> ref.sectionName().equals(p.name()))) {
            findings.error(route.key(), field + ".sectionName", "Service " + ns + "/" + ref.name()
                    + " has no port named '" + ref.sectionName() + "'");
        } else if (ref.sectionName() != null && ref.port() != null && ports.stream().noneMatch(p ->
                ref.sectionName().equals(p.name()) && ref.port().equals(p.port()))) {
            findings.laterRule(route.key(), field + ".port", "Service " + ns + "/" + ref.name()
                    + "'s port named '" + ref.sectionName() + "' is not port " + ref.port() + ": with both, both must"
                    + " name one port (as given, the route attaches to none)", service.get().key());
        }
    }
}
