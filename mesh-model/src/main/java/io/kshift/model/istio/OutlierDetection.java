package io.kshift.model.istio;

import io.kshift.model.constraint.IstioDurationValue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.PositiveOrZero;

/**
 * Passive health checking: an endpoint that returns {@code consecutive5xxErrors} 5xx answers (or
 * {@code consecutiveGatewayErrors} 502/503/504 answers or connect failures) in a row is ejected for
 * {@code baseEjectionTime} times the number of its ejections, never more than {@code maxEjectionPercent} of the
 * endpoints at once. Ejections are reviewed every {@code interval}.
 */
public record OutlierDetection(@PositiveOrZero(message = "must not be negative") Integer consecutive5xxErrors,
                               @PositiveOrZero(message = "must not be negative") Integer consecutiveGatewayErrors,
                               @IstioDurationValue String interval,
                               @IstioDurationValue String baseEjectionTime,
                               @Min(value = 0, message = "must be between 0 and 100")
                               @Max(value = 100, message = "must be between 0 and 100") Integer maxEjectionPercent,
                               @Min(value = 0, message = "must be between 0 and 100")
                               @Max(value = 100, message = "must be between 0 and 100") Integer minHealthPercent) {
}
