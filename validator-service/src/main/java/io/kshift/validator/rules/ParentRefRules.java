package io.kshift.validator.rules;

import io.kshift.model.gateway.KubeGatewaySpec;
import io.kshift.model.gateway.Listener;
import io.kshift.model.gateway.ParentReference;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import io.kshift.model.routing.ListenerBindings;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether a Gateway API route's parentRef to a Gateway attaches: the Gateway exists, has the listener named (or
 * one on the port), and that listener takes the route (namespace, protocol, kind, hostname). Within the Gateway's
 * namespace what does not is an error; from another namespace the Gateway's owner decides, so it is said, and the
 * route is not Accepted by that parent when no listener takes it.
 */
final class ParentRefRules {
    private ParentRefRules() {
    }

    static void check(MeshConfig config, Resource route, ParentReference ref, String field,
                      java.util.Set<String> protocols, String why, Findings findings) {
        if (ref.kind() != null && !"Gateway".equals(ref.kind())) {
            findings.error(route.key(), field + ".kind", "Service".equals(ref.kind())
                    ? "a Service parent (Gateway API mesh routing) is served for HTTPRoutes only: kshift proxies do"
                    + " not route mesh TCP traffic; attach this route to a Gateway"
                    : "a route attaches to a Gateway" + (route.type() == Kind.HTTP_ROUTE
                    || route.type() == Kind.GRPC_ROUTE ? " or a Service" : "")
                    + ", not a " + ref.kind());
            return;
        }
        String ns = ref.namespace() == null ? route.namespace() : ref.namespace();
        Optional<Resource> gw = config.get(new io.kshift.model.resource.ResourceKey(Kind.KUBE_GATEWAY, ns,
                ref.name()));
        if (gw.isEmpty()) {
            findings.note(route.key(), io.kshift.model.status.StatusNote.noMatchingParent(field + ".name",
                    RouteRules.notYet("Gateway " + ns + "/" + ref.name())));
            return;
        }
        // A route in another namespace than its Gateway does not decide whether it attaches: the Gateway's owner
        // does (Gateway API: the route is not Accepted). Refusing would let any namespace's route block the
        // owner's Gateway or listener change, so there it is a warning; within one namespace an error, as before.
        boolean foreign = !gw.get().namespace().equals(route.namespace());
        // A foreign route's problems are said once it is known whether any listener takes it: then they are
        // warnings about the listeners that do not; if none does, the route is not Accepted by this parent.
        List<String[]> refused = new ArrayList<>();
        java.util.function.BiConsumer<String, String> problem = (at, why2) -> {
            if (foreign) {
                refused.add(new String[] {at, why2 + "; this route does not attach there"});
            } else {
                findings.error(route.key(), at, why2);
            }
        };
        List<Listener> listeners = gw.get().specAs(KubeGatewaySpec.class).listeners();
        List<Listener> candidates = listeners.stream()
                .filter(l -> ListenerBindings.attaches(ref, route.namespace(), gw.get(), l)).toList();
        if (candidates.isEmpty()) {
            String what = ref.sectionName() != null ? "sectionName" : "port";
            String why2 = "Gateway " + ns + "/" + ref.name() + " has no listener "
                    + (ref.sectionName() != null ? "named '" + ref.sectionName() + "'" : "on port " + ref.port())
                    + "; listeners: " + listeners.stream().map(Listener::name).toList();
            if (foreign) {
                findings.note(route.key(), io.kshift.model.status.StatusNote.noMatchingParent(field + "." + what,
                        why2 + "; this route does not attach there"));
            } else {
                findings.error(route.key(), field + "." + what, why2);
            }
            return;
        }
        List<String> hostnameMisses = new ArrayList<>();
        java.util.function.BiConsumer<String, String> later = (at, why2) -> {
            if (foreign) {
                problem.accept(at, why2);
            } else {
                findings.laterRule(route.key(), at, why2, gw.get().key());
            }
        };
        boolean attachedSomewhere = listenersTaking(config, route, ref, field, protocols, why, gw.get(), candidates,
                problem, later, hostnameMisses) > 0;
        if (!attachedSomewhere && refused.isEmpty() && !hostnameMisses.isEmpty()) {
            // Allowed, but no listener's hostname meets the route's: not Accepted by this parent (the API's reason).
            findings.note(route.key(), new io.kshift.model.status.StatusNote(io.kshift.model.status.StatusNote.ACCEPTED,
                    "NoMatchingListenerHostname", field, "no listener of Gateway " + ns + "/" + ref.name()
                    + " has a hostname that meets this route's hostnames (listeners: " + hostnameMisses
                    + "); it serves nothing there"));
        }
        for (String[] r : refused) {
            if (attachedSomewhere) {
                findings.warn(route.key(), r[0], r[1]);
            } else {
                findings.note(route.key(), io.kshift.model.status.StatusNote.notAllowedByListeners(r[0], r[1]));
            }
        }
    }

    /** How many candidate listeners take the route; what keeps each other one from it goes to {@code problem}. */
    private static int listenersTaking(MeshConfig config, Resource route, ParentReference ref, String field,
                                       java.util.Set<String> protocols, String why, Resource gateway,
                                       List<Listener> candidates,
                                       java.util.function.BiConsumer<String, String> problem,
                                       java.util.function.BiConsumer<String, String> later,
                                       List<String> hostnameMisses) {
        String ns = gateway.namespace();
        if (ref.sectionName() == null) {
            // Gateway API: a route names no listener (or only a port, which a TCP and a UDP listener may share), so
            // it attaches to every such listener that takes its kind.
            List<Listener> byProtocol = candidates.stream()
                    .filter(l -> protocols.contains(l.protocol().toUpperCase(Locale.ROOT)))
                    .filter(l -> l.admitsKind(route.type().kindName())).toList();
            List<Listener> compatible = byProtocol.stream().filter(l -> !passesThrough(route, l)).toList();
            if (compatible.isEmpty() && !byProtocol.isEmpty()) {
                later.accept(field, "Gateway " + ns + "/" + ref.name() + "'s only listeners for this route pass TLS"
                        + " through (mode Passthrough: they route by SNI, to TLSRoutes only); " + why);
                return 0;
            }
            if (compatible.isEmpty()) {
                problem.accept(field, "Gateway " + ns + "/" + ref.name() + " has no listener that takes"
                        + " this route; " + why);
                return 0;
            }
            candidates = compatible;
        }
        int taking = 0;
        for (Listener l : candidates) {
            if (!l.admitsNamespace(gateway.namespace(), route.namespace(),
                    io.kshift.model.routing.NamespaceLabels.of(config))) {
                problem.accept(field, "listener '" + l.name() + "' of Gateway " + ns + "/" + ref.name()
                        + (l.allowedRoutes() != null && l.allowedRoutes().namespaces() != null
                        && l.allowedRoutes().namespaces().from() == Listener.From.Selector
                        ? " admits routes from namespaces whose labels its selector matches, and namespace "
                        + route.namespace() + "'s do not"
                        : " admits routes from its own namespace only"));
            } else if (!protocols.contains(l.protocol().toUpperCase(Locale.ROOT))) {
                problem.accept(field, "listener '" + l.name() + "' speaks " + l.protocol() + "; " + why);
            } else if (passesThrough(route, l)) {
                later.accept(field, "listener '" + l.name() + "' passes TLS through (mode Passthrough: it routes"
                        + " by SNI, to TLSRoutes only); " + why);
            } else if (!l.admitsKind(route.type().kindName())) {
                problem.accept(field, "listener '" + l.name() + "' of Gateway " + ns + "/" + ref.name()
                        + " allows routes of kinds " + l.allowedRoutes().kinds().stream()
                        .map(Listener.RouteGroupKind::kind).toList() + " only");
            } else if (!io.kshift.model.routing.HttpBindings.meets(hostnames(route), l.hostname())) {
                hostnameMisses.add(l.name() + " (" + (l.hostname() == null ? "*" : l.hostname()) + ")");
            } else {
                taking++;
            }
        }
        return taking;
    }

    /** A TCPRoute and a TLS listener that passes TLS through: it carries TLSRoutes only. */
    static boolean passesThrough(Resource route, Listener l) {
        return route.type() == io.kshift.model.resource.Kind.TCP_ROUTE && "TLS".equalsIgnoreCase(l.protocol())
                && l.tls() != null && l.tls().effectiveMode() == io.kshift.model.gateway.ListenerTls.Mode.Passthrough;
    }

    /** A Gateway API route's hostnames (TCP and UDP routes have none). */
    static List<String> hostnames(Resource route) {
        return switch (route.type()) {
            case HTTP_ROUTE, GRPC_ROUTE -> io.kshift.model.routing.GatewayApiHttp.spec(route).hostnames();
            case TLS_ROUTE -> route.specAs(io.kshift.model.gateway.TlsRouteSpec.class).hostnames();
            default -> List.of();
        };
    }
}
