package io.kshift.validator.rules;

import io.kshift.model.gateway.KubeGatewaySpec;
import io.kshift.model.gateway.Listener;
import io.kshift.model.gateway.TcpRouteSpec;
import io.kshift.model.istio.DestinationRuleSpec;
import io.kshift.model.istio.HttpMatchRequest;
import io.kshift.model.istio.L4MatchAttributes;
import io.kshift.model.istio.Subset;
import io.kshift.model.istio.TcpRoute;
import io.kshift.model.istio.VirtualServiceSpec;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.registry.MeshService;
import io.kshift.model.registry.ServiceRegistry;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import io.kshift.model.routing.ListenerBindings;
import io.kshift.model.routing.WeightedTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Make-before-break from the other side: a change that removes a DestinationRule subset, an Istio Gateway, or a
 * Gateway API Gateway or listener that routes of the resulting config still use is rejected on the removed thing,
 * naming every route that uses it. (The routes themselves are also reported by {@link RouteRules}; this tells the
 * operator which of their own edits broke them.)
 */
final class InUseRules {
    private InUseRules() {
    }

    /**
     * {@code changed}: the keys whose resource differs between {@code live} and {@code next}; only those can have
     * lost something. {@code resolver}: {@code next}'s.
     */
    static void check(MeshConfig live, MeshConfig next, java.util.Collection<io.kshift.model.resource.ResourceKey> changed,
                      io.kshift.model.registry.DestinationResolver resolver, Findings findings) {
        ServiceRegistry registry = resolver.registry();
        List<Use> uses = null;
        // In key order, whatever order the request named them in: errors come out the same for the same change.
        for (var key : new java.util.TreeSet<>(changed)) {
            Optional<Resource> was = live.get(key);
            if (was.isEmpty()) {
                continue;
            }
            Resource before = was.get();
            switch (key.kind()) {
                case DESTINATION_RULE -> {
                    if (uses == null) {
                        // Who uses which subset is a walk over every route: only for a rule that changed.
                        uses = subsetUses(next, registry);
                    }
                    subsets(before, next.get(key), resolver, uses, findings);
                }
                case GATEWAY -> {
                    if (next.get(key).isEmpty()) {
                        report(before, "spec", "Gateway", gatewayUsers(next, before), findings);
                    }
                }
                case KUBE_GATEWAY -> listeners(before, next, findings);
                case VIRTUAL_SERVICE -> {
                    boolean wasDelegate = io.kshift.model.routing.Delegation.isDelegate(
                            before.specAs(VirtualServiceSpec.class));
                    boolean stillDelegate = next.get(key).map(r -> io.kshift.model.routing.Delegation.isDelegate(
                            r.specAs(VirtualServiceSpec.class))).orElse(false);
                    if (wasDelegate && !stillDelegate) {
                        report(before, "spec", "Delegate VirtualService", io.kshift.model.routing.Delegation.roots(next,
                                before.key()), findings);
                    }
                }
                default -> {
                }
            }
        }
    }

    /**
     * Where a route names a subset: the service it resolves to (in the new config), the subset, the destination,
     * and the field.
     */
    private record Use(Optional<MeshService> service, String subset, WeightedTarget target, String where) {
    }

    private static List<Use> subsetUses(MeshConfig config, ServiceRegistry registry) {
        List<Use> uses = new ArrayList<>();
        for (Resource vs : config.ofKind(Kind.VIRTUAL_SERVICE)) {
            List<WeightedTarget> targets = RouteTargets.ofVirtualService(vs);
            for (WeightedTarget t : targets) {
                if (t.subset() != null) {
                    uses.add(new Use(registry.lookup(t.host(), t.namespace()), t.subset(), t,
                            vs.key() + " " + t.field()));
                }
            }
        }
        return uses;
    }

    /**
     * A subset the rule no longer defines, whose users no longer find it: another rule may still define it for them
     * (one merged with this one, or the one their own namespace's lookup finds), and then nothing broke.
     */
    private static void subsets(Resource before, Optional<Resource> after,
                                io.kshift.model.registry.DestinationResolver resolver, List<Use> uses,
                                Findings findings) {
        DestinationRuleSpec old = before.specAs(DestinationRuleSpec.class);
        Optional<MeshService> service = resolver.registry().lookup(old.host(), before.namespace());
        List<String> kept = after.map(r -> r.specAs(DestinationRuleSpec.class).subsets().stream().map(Subset::name)
                .toList()).orElse(List.of());
        for (int i = 0; i < old.subsets().size(); i++) {
            String name = old.subsets().get(i).name();
            if (kept.contains(name) || service.isEmpty()) {
                continue;
            }
            List<String> users = uses.stream().filter(u -> u.subset().equals(name) && u.service().equals(service))
                    .filter(u -> lost(u.target().resolve(resolver))).map(Use::where).toList();
            String field = after.isPresent() ? "spec.subsets" : "spec.subsets[" + i + "]";
            report(before, field, "subset '" + name + "'", users, findings);
        }
    }

    private static boolean lost(io.kshift.model.registry.DestinationResolver.Result result) {
        return !result.ok() && result.problem().part() == io.kshift.model.registry.DestinationResolver.Part.SUBSET;
    }

    private static List<String> gatewayUsers(MeshConfig config, Resource gateway) {
        List<String> users = new ArrayList<>();
        for (Resource vs : config.ofKind(Kind.VIRTUAL_SERVICE)) {
            VirtualServiceSpec spec = vs.specAs(VirtualServiceSpec.class);
            for (int i = 0; i < spec.gateways().size(); i++) {
                if (ListenerBindings.names(spec.gateways().get(i), vs.namespace(), gateway.key())) {
                    users.add(vs.key() + " spec.gateways[" + i + "]");
                }
            }
            for (int i = 0; i < spec.tcp().size(); i++) {
                List<L4MatchAttributes> match = spec.tcp().get(i).match();
                for (int j = 0; j < match.size(); j++) {
                    if (match.get(j).gateways().stream().anyMatch(g -> ListenerBindings.names(g, vs.namespace(),
                            gateway.key()))) {
                        users.add(vs.key() + " spec.tcp[" + i + "].match[" + j + "].gateways");
                    }
                }
            }
            for (int i = 0; i < spec.http().size(); i++) {
                List<HttpMatchRequest> match = spec.http().get(i).match();
                for (int j = 0; j < match.size(); j++) {
                    if (match.get(j).gateways().stream().anyMatch(g -> ListenerBindings.names(g, vs.namespace(),
                            gateway.key()))) {
                        users.add(vs.key() + " spec.http[" + i + "].match[" + j + "].gateways");
                    }
                }
            }
        }
        return users;
    }

    /**
     * A listener removed (or its Gateway deleted) that live routes are served by. Only routes it serves count: one
     * it does not admit (another namespace's, a kind it does not take, hostnames it does not cover, a TCPRoute on a
     * passthrough listener) never blocks the Gateway's owner, and one that another listener of the same port and
     * protocol serves after the change (a listener renamed) has lost nothing.
     */
    private static void listeners(Resource before, MeshConfig next, Findings findings) {
        Optional<Resource> after = next.get(before.key());
        List<Listener> old = before.specAs(KubeGatewaySpec.class).listeners();
        List<Listener> kept = after.map(a -> a.specAs(KubeGatewaySpec.class).listeners()).orElse(List.of());
        var labels = io.kshift.model.routing.NamespaceLabels.of(next);
        for (int i = 0; i < old.size(); i++) {
            Listener listener = old.get(i);
            if (kept.stream().anyMatch(l -> l.name().equals(listener.name()))) {
                continue;
            }
            List<String> users = new ArrayList<>();
            for (Resource route : routes(next)) {
                var refs = switch (route.type()) {
                    case TCP_ROUTE, UDP_ROUTE -> ListenerBindings.l4Spec(route).parentRefs();
                    case TLS_ROUTE -> route.specAs(io.kshift.model.gateway.TlsRouteSpec.class).parentRefs();
                    default -> io.kshift.model.routing.GatewayApiHttp.spec(route).parentRefs();
                };
                for (int p = 0; p < refs.size(); p++) {
                    var ref = refs.get(p);
                    if (serves(before, listener, route, ref, labels) && kept.stream().noneMatch(l -> l.port()
                            .equals(listener.port()) && covers(l.hostname(), listener.hostname())
                            && serves(after.get(), l, route, ref, labels))) {
                        users.add(route.key() + " spec.parentRefs[" + p + "]");
                    }
                }
            }
            String what = after.isPresent() ? "listener '" + listener.name() + "'" : "Gateway (listener '"
                    + listener.name() + "')";
            report(before, after.isPresent() ? "spec.listeners" : "spec.listeners[" + i + "]", what, users, findings);
        }
    }

    /** Whether {@code listener} of {@code gateway} takes {@code route} through {@code ref} (ParentRefRules' rules). */
    /**
     * Whether a listener of hostname {@code kept} takes every name one of {@code removed} took (null: every name):
     * a route on the removed listener keeps all its names on the kept one, not only some of them.
     */
    private static boolean covers(String kept, String removed) {
        return kept == null || kept.equals(removed) || removed != null && kept.startsWith("*.")
                && removed.endsWith(kept.substring(1));
    }

    private static boolean serves(Resource gateway, Listener listener, Resource route,
                                  io.kshift.model.gateway.ParentReference ref,
                                  java.util.function.Function<String, java.util.Map<String, String>> labels) {
        String kind = route.type().kindName();
        // The protocol first: a TCP and a UDP listener may share a port number.
        return ListenerBindings.attaches(ref, route.namespace(), gateway, listener)
                && GatewayRules.takes(listener.protocol(), kind) && listener.admitsKind(kind)
                && listener.admitsNamespace(gateway.namespace(), route.namespace(), labels)
                && !ParentRefRules.passesThrough(route, listener)
                && io.kshift.model.routing.HttpBindings.meets(ParentRefRules.hostnames(route), listener.hostname());
    }

    private static List<Resource> routes(MeshConfig config) {
        List<Resource> out = new ArrayList<>(config.ofKind(Kind.TCP_ROUTE));
        out.addAll(config.ofKind(Kind.TLS_ROUTE));
        out.addAll(config.ofKind(Kind.UDP_ROUTE));
        out.addAll(io.kshift.model.routing.GatewayApiHttp.routes(config));
        return out;
    }

    private static void report(Resource removed, String field, String what, List<String> users, Findings findings) {
        if (!users.isEmpty()) {
            findings.error(removed.key(), field, what + " cannot be removed: live routes use it: "
                    + String.join(", ", users) + "; change those routes first");
        }
    }
}
