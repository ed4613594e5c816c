package io.kshift.model.gateway;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

/** A Gateway API listener: routes attach to it by {@code sectionName} = its name. */
public record Listener(
        @NotBlank(message = "is required") String name,
        String hostname,
        @NotNull(message = "is required")
        @Min(value = 1, message = "must be a port number between 1 and 65535")
        @Max(value = 65535, message = "must be a port number between 1 and 65535") Integer port,
        @NotBlank(message = "is required") String protocol,
        @Valid AllowedRoutes allowedRoutes) {

    /** Which namespaces' routes may attach: {@code Same} (default) or {@code All}. */
    public record AllowedRoutes(RouteNamespaces namespaces) {
    }

    public record RouteNamespaces(From from) {
    }

    public enum From { Same, All }

    public boolean admitsNamespace(String gatewayNamespace, String routeNamespace) {
        From from = allowedRoutes == null || allowedRoutes.namespaces() == null
                || allowedRoutes.namespaces().from() == null ? From.Same : allowedRoutes.namespaces().from();
        return from == From.All || gatewayNamespace.equals(routeNamespace);
    }
}
