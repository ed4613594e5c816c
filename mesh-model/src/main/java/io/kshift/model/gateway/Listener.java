package io.kshift.model.gateway;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.util.List;
import java.util.Map;

/** A Gateway API listener: routes attach to it by {@code sectionName} = its name. */
public record Listener(
        @NotBlank(message = "is required") String name,
        String hostname,
        @NotNull(message = "is required")
        @Min(value = 1, message = "must be a port number between 1 and 65535")
        @Max(value = 65535, message = "must be a port number between 1 and 65535") Integer port,
        @NotBlank(message = "is required") String protocol,
        @Valid AllowedRoutes allowedRoutes,
        @Valid ListenerTls tls) {

    public Listener(String name, String hostname, Integer port, String protocol, AllowedRoutes allowedRoutes) {
        this(name, hostname, port, protocol, allowedRoutes, null);
    }

    /**
     * Which routes may attach: from which namespaces ({@code Same}, the default, {@code All}, or {@code Selector}:
     * those whose Namespace object's labels the selector matches), and of which kinds (none listed: every route
     * kind the listener's protocol takes).
     */
    public record AllowedRoutes(@Valid RouteNamespaces namespaces, List<@Valid RouteGroupKind> kinds) {
        public AllowedRoutes {
            kinds = kinds == null ? List.of() : List.copyOf(kinds);
        }
    }

    public record RouteNamespaces(From from, @Valid LabelSelector selector) {
    }

    /** A route kind, in the Gateway API's group unless another is named. */
    public record RouteGroupKind(String group, @NotBlank(message = "is required") String kind) {
        public static final String GATEWAY_API_GROUP = "gateway.networking.k8s.io";

        public boolean is(String routeKind) {
            return kind.equals(routeKind) && (group == null || group.equals(GATEWAY_API_GROUP));
        }
    }

    public enum From { Same, All, Selector }

    /** {@code labels}: each namespace's labels ({@link io.kshift.model.routing.NamespaceLabels}). */
    public boolean admitsNamespace(String gatewayNamespace, String routeNamespace,
                                   java.util.function.Function<String, Map<String, String>> labels) {
        From from = allowedRoutes == null || allowedRoutes.namespaces() == null
                || allowedRoutes.namespaces().from() == null ? From.Same : allowedRoutes.namespaces().from();
        return switch (from) {
            case All -> true;
            case Same -> gatewayNamespace.equals(routeNamespace);
            case Selector -> allowedRoutes.namespaces().selector() != null
                    && allowedRoutes.namespaces().selector().matches(labels.apply(routeNamespace));
        };
    }

    /** Whether routes of {@code routeKind} ({@code TCPRoute}, {@code HTTPRoute}) may attach here. */
    public boolean admitsKind(String routeKind) {
        return allowedRoutes == null || allowedRoutes.kinds().isEmpty()
                || allowedRoutes.kinds().stream().anyMatch(k -> k.is(routeKind));
    }
}
