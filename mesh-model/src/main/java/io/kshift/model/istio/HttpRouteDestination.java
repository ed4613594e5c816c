package io.kshift.model.istio;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;

/** A weighted destination of an http route, with header edits that apply when it is chosen. */
public record HttpRouteDestination(
        @NotNull(message = "is required") @Valid Destination destination,
        @PositiveOrZero(message = "must not be negative") Integer weight,
        @Valid Headers headers) {
}
