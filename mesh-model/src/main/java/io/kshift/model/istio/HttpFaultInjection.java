package io.kshift.model.istio;

import io.kshift.model.constraint.FaultPercentage;
import io.kshift.model.constraint.IstioDurationValue;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/** Faults injected before forwarding: a delay and/or an abort, each for a percentage of requests. */
public record HttpFaultInjection(@Valid Delay delay, @Valid Abort abort) {

    /** Wait {@code fixedDelay} before forwarding, for {@code percentage} of requests (absent: none, as in Istio). */
    public record Delay(@NotNull(message = "is required") @IstioDurationValue String fixedDelay,
                        @Valid @FaultPercentage Percent percentage) {
    }

    /** Answer {@code httpStatus} without forwarding, for {@code percentage} of requests (absent: none). */
    public record Abort(@NotNull(message = "is required")
                        @Min(value = 200, message = "must be an HTTP status between 200 and 599")
                        @Max(value = 599, message = "must be an HTTP status between 200 and 599") Integer httpStatus,
                        @Valid @FaultPercentage Percent percentage) {
    }
}
