package io.kshift.model.istio;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

/** The port a Gateway server listens on and the protocol it speaks there. */
public record ServerPort(
        @NotNull(message = "is required")
        @Min(value = 1, message = "must be a port number between 1 and 65535")
        @Max(value = 65535, message = "must be a port number between 1 and 65535") Integer number,
        String name,
        @NotBlank(message = "is required") String protocol,
        Integer targetPort) {
}
