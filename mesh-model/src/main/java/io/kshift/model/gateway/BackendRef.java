package io.kshift.model.gateway;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

/**
 * A backend with its weight (Gateway API: default 1, range 0 to 1,000,000). Its {@code port} is required for a
 * Service (the validator says so), optional for other kinds, which kshift refuses by kind. {@code filters}: an
 * HTTPRoute's or GRPCRoute's, applied only to requests sent to this backend (the validator takes header modifiers
 * there, and refuses filters on the backends of other routes and of mirrors, whose API has none).
 */
public record BackendRef(String group, String kind, @NotBlank(message = "is required") String name,
                         String namespace,
                         @Min(value = 1, message = "must be a port number between 1 and 65535")
                         @Max(value = 65535, message = "must be a port number between 1 and 65535") Integer port,
                         @Min(value = 0, message = "must not be negative")
                         @Max(value = 1_000_000, message = "must be at most 1000000") Integer weight,
                         java.util.List<@jakarta.validation.Valid HttpRouteFilter> filters) {

    public BackendRef {
        filters = io.kshift.model.Lists.copy(filters);
    }

    public BackendRef(String group, String kind, String name, String namespace, Integer port, Integer weight) {
        this(group, kind, name, namespace, port, weight, null);
    }

    public int effectiveWeight() {
        return weight == null ? 1 : weight;
    }
}
