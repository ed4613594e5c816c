package io.kshift.model.istio;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/** The destination port of a service. */
public record PortSelector(
        @NotNull(message = "is required")
        @Min(value = 1, message = "must be a port number between 1 and 65535")
        @Max(value = 65535, message = "must be a port number between 1 and 65535") Integer number) {
}
