package io.kshift.model.gateway;

import io.kshift.model.Lists;
import io.kshift.model.resource.ResourceSpec;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.util.List;

/**
 * Gateway API {@code ReferenceGrant}: lives in a namespace and lets routes of the listed kinds in the listed
 * namespaces refer to its objects. A route's backendRef (or mirror) to a Service in another namespace needs one
 * in the Service's namespace; without it the route is refused.
 */
public record ReferenceGrantSpec(List<@Valid From> from, List<@Valid To> to) implements ResourceSpec {
    public ReferenceGrantSpec {
        from = Lists.copy(from);
        to = Lists.copy(to);
    }

    /** Who may refer: a kind of the group in a namespace. */
    public record From(@NotNull(message = "is required") String group,
                       @NotBlank(message = "is required") String kind,
                       @NotBlank(message = "is required") String namespace) {
    }

    /** What may be referred to: a kind of the group (core: ""), any of them or only {@code name}. */
    public record To(@NotNull(message = "is required") String group,
                     @NotBlank(message = "is required") String kind,
                     String name) {
    }

    /**
     * Whether this grant lets a {@code routeKind} in {@code routeNamespace} refer to the core Service
     * {@code service} in the grant's namespace.
     */
    public boolean allowsService(String routeKind, String routeNamespace, String service) {
        return allowsCore(routeKind, routeNamespace, "Service", service);
    }

    /**
     * Whether a Gateway API object of {@code fromKind} in {@code fromNamespace} may refer to the core object
     * {@code toKind}/{@code name} in the grant's namespace (a Gateway to a Secret holding its certificate).
     */
    public boolean allowsCore(String fromKind, String fromNamespace, String toKind, String name) {
        return from.stream().anyMatch(f -> Listener.RouteGroupKind.GATEWAY_API_GROUP.equals(f.group())
                && fromKind.equals(f.kind()) && fromNamespace.equals(f.namespace()))
                && to.stream().anyMatch(t -> (t.group().isEmpty() || "core".equals(t.group()))
                && toKind.equals(t.kind()) && (t.name() == null || t.name().equals(name)));
    }
}
