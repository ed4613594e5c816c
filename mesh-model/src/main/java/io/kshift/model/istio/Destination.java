package io.kshift.model.istio;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;

/** Where a route sends traffic: a host (service), optionally a subset (version) and a port. */
public record Destination(@NotBlank(message = "is required") String host, String subset, @Valid PortSelector port) {
}
