package io.kshift.model.istio;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

/** One of {@code mirrors[]}: a destination that gets a copy of a percentage of requests (absent: all). */
public record HttpMirrorPolicy(@NotNull(message = "is required") @Valid Destination destination,
                               @Valid Percent percentage) {
}
