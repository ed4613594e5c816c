package io.kshift.model.istio;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/** A ServiceEntry port: the number clients use, its name, and optionally the endpoints' port. */
public record ServicePort(
        @NotNull(message = "is required")
        @Min(value = 1, message = "must be a port number between 1 and 65535")
        @Max(value = 65535, message = "must be a port number between 1 and 65535") Integer number,
        String protocol,
        String name,
        @Min(value = 1, message = "must be a port number between 1 and 65535")
        @Max(value = 65535, message = "must be a port number between 1 and 65535") Integer targetPort) {
}
