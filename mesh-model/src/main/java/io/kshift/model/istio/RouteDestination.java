package io.kshift.model.istio;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;

/** A destination with its relative weight (Istio: weight / sum of weights; absent weight of a single route = all). */
public record RouteDestination(
        @NotNull(message = "is required") @Valid Destination destination,
        @PositiveOrZero(message = "must not be negative") Integer weight) {
}
