package io.kshift.model.status;

import io.kshift.model.gateway.ParentReference;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A resource's {@code status} as Kubernetes shows it, from the validator's notes: conditions with {@code type},
 * {@code status} ({@code "True"}/{@code "False"}), {@code reason}, {@code message} and the generation of the
 * config they were computed for ({@code observedGeneration}, kshift's generation: resources have none of their
 * own). Gateway API routes report per parent, as the API defines ({@code status.parents[]} with the
 * {@code parentRef}, kshift's {@code controllerName}, {@code Accepted} and {@code ResolvedRefs}); Gateways and the
 * rest report {@code status.conditions} ({@code Accepted}, {@code ResolvedRefs}; Gateways {@code Programmed} too).
 * References are resolved when a resource is accepted (the validator refuses one that does not resolve), so
 * {@code ResolvedRefs} holds for whatever is in the config; {@code Accepted} is False for a route whose parent is
 * missing or does not take it (taken with a warning: it attaches when the parent arrives or admits it).
 */
public final class ResourceStatus {
    public static final String CONTROLLER = "kshift.io/gateway-controller";
    private static final Set<Kind> PER_PARENT = Set.of(Kind.HTTP_ROUTE, Kind.GRPC_ROUTE, Kind.TCP_ROUTE,
            Kind.TLS_ROUTE, Kind.UDP_ROUTE);
    private static final Map<String, String> HOLDS = Map.of(StatusNote.ACCEPTED, "Accepted",
            StatusNote.RESOLVED_REFS, "ResolvedRefs", StatusNote.PROGRAMMED, "Programmed");

    private ResourceStatus() {
    }

    /**
     * The {@code status} object for {@code r} given its notes, at config generation {@code generation}; null for
     * kinds Kubernetes shows without conditions (Secret, ConfigMap, Namespace).
     */
    public static Map<String, Object> of(Resource r, List<StatusNote> notes, long generation) {
        if (r.type() == Kind.SECRET || r.type() == Kind.CONFIG_MAP || r.type() == Kind.NAMESPACE) {
            return null;
        }
        if (PER_PARENT.contains(r.type())) {
            List<ParentReference> parents = parents(r);
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < parents.size(); i++) {
                String prefix = "spec.parentRefs[" + i + "]";
                List<StatusNote> own = notes.stream().filter(n -> n.field().equals(prefix)
                        || n.field().startsWith(prefix + ".")
                        || !n.field().startsWith("spec.parentRefs")).toList();
                Map<String, Object> parent = new LinkedHashMap<>();
                parent.put("parentRef", parents.get(i));
                parent.put("controllerName", CONTROLLER);
                parent.put("conditions", conditions(List.of(StatusNote.ACCEPTED, StatusNote.RESOLVED_REFS), own,
                        generation));
                out.add(parent);
            }
            return Map.of("parents", out);
        }
        List<String> types = r.type() == Kind.GATEWAY || r.type() == Kind.KUBE_GATEWAY
                ? List.of(StatusNote.ACCEPTED, StatusNote.RESOLVED_REFS, StatusNote.PROGRAMMED)
                : List.of(StatusNote.ACCEPTED, StatusNote.RESOLVED_REFS);
        return Map.of("conditions", conditions(types, notes, generation));
    }

    private static List<Object> conditions(List<String> types, List<StatusNote> notes, long generation) {
        List<Object> out = new ArrayList<>();
        for (String type : types) {
            List<StatusNote> failing = notes.stream().filter(n -> n.type().equals(type)).toList();
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("type", type);
            c.put("status", failing.isEmpty() ? "True" : "False");
            c.put("reason", failing.isEmpty() ? HOLDS.get(type) : failing.get(0).reason());
            if (!failing.isEmpty()) {
                c.put("message", String.join("; ", failing.stream().map(n -> n.field() + ": " + n.message())
                        .toList()));
            }
            c.put("observedGeneration", generation);
            out.add(c);
        }
        return out;
    }

    private static List<ParentReference> parents(Resource r) {
        return switch (r.type()) {
            case HTTP_ROUTE -> r.specAs(io.kshift.model.gateway.HttpRouteSpec.class).parentRefs();
            case GRPC_ROUTE -> r.specAs(io.kshift.model.gateway.GrpcRouteSpec.class).parentRefs();
            case TCP_ROUTE -> r.specAs(io.kshift.model.gateway.TcpRouteSpec.class).parentRefs();
            case TLS_ROUTE -> r.specAs(io.kshift.model.gateway.TlsRouteSpec.class).parentRefs();
            case UDP_ROUTE -> r.specAs(io.kshift.model.gateway.UdpRouteSpec.class).parentRefs();
            default -> List.of();
        };
    }
}
