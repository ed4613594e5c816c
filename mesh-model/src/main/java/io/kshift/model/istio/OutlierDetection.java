package io.kshift.model.istio;

import io.kshift.model.constraint.IstioDurationValue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.PositiveOrZero;

/**
 * Passive health checking: an endpoint that returns {@code consecutive5xxErrors} 5xx answers (or
 * {@code consecutiveGatewayErrors} 502/503/504 answers or connect failures) in a row is ejected for
 * {@code baseEjectionTime} times the number of its ejections, never more than {@code maxEjectionPercent} of the
 * endpoints at once. Ejections are reviewed every {@code interval}. With {@code splitExternalLocalOriginErrors}, failures
 * of the proxy's own making (a connect refused or timed out, a reset, a try timed out) are counted apart, up to
 * {@code consecutiveLocalOriginFailures} (default 5), and 5xx answers only count as 5xx.
 */
public record OutlierDetection(@PositiveOrZero(message = "must not be negative") Integer consecutive5xxErrors,
                               @PositiveOrZero(message = "must not be negative") Integer consecutiveGatewayErrors,
                               @IstioDurationValue String interval,
                               @IstioDurationValue String baseEjectionTime,
                               @Min(value = 0, message = "must be between 0 and 100")
                               @Max(value = 100, message = "must be between 0 and 100") Integer maxEjectionPercent,
                               @Min(value = 0, message = "must be between 0 and 100")
                               @Max(value = 100, message = "must be between 0 and 100") Integer minHealthPercent,
                               @PositiveOrZero(message = "must not be negative") Integer consecutiveLocalOriginFailures,
                               Boolean splitExternalLocalOriginErrors) {

    public OutlierDetection(Integer consecutive5xxErrors, Integer consecutiveGatewayErrors, String interval,
                            String baseEjectionTime, Integer maxEjectionPercent, Integer minHealthPercent) {
        this(consecutive5xxErrors, consecutiveGatewayErrors, interval, baseEjectionTime, maxEjectionPercent,
                minHealthPercent, null, null);
    }

    /** Whether failures of the proxy's own making are counted apart from the answers endpoints give. */
    public boolean splitsLocalOrigin() {
        return Boolean.TRUE.equals(splitExternalLocalOriginErrors);
    }
}
