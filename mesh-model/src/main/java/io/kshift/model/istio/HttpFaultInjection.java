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

    /**
     * Answer {@code httpStatus} without forwarding, for {@code percentage} of requests (absent: none); or, for gRPC,
     * {@code grpcStatus} ({@code UNAVAILABLE}, or its number) in a trailers-only answer, as Envoy does.
     */
    @io.kshift.model.constraint.OneOf(value = {"httpStatus", "grpcStatus"}, required = true)
    public record Abort(@Min(value = 200, message = "must be an HTTP status between 200 and 599")
                        @Max(value = 599, message = "must be an HTTP status between 200 and 599") Integer httpStatus,
                        @Valid @FaultPercentage Percent percentage,
                        @jakarta.validation.constraints.Pattern(regexp = "(?i)OK|CANCELLED|UNKNOWN|INVALID_ARGUMENT"
                                + "|DEADLINE_EXCEEDED|NOT_FOUND|ALREADY_EXISTS|PERMISSION_DENIED|RESOURCE_EXHAUSTED"
                                + "|FAILED_PRECONDITION|ABORTED|OUT_OF_RANGE|UNIMPLEMENTED|INTERNAL|UNAVAILABLE"
                                + "|DATA_LOSS|UNAUTHENTICATED|[0-9]|1[0-6]",
                                message = "must be a gRPC status name (as UNAVAILABLE) or code (0 to 16)")
                        String grpcStatus) {
    }
}
