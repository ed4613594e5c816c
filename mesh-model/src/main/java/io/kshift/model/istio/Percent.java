package io.kshift.model.istio;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;

/** Istio's {@code Percent}: a share of requests, 0 to 100, fractions allowed ({@code 0.5} is one in 200). */
public record Percent(@DecimalMin(value = "0", message = "must be between 0 and 100")
                      @DecimalMax(value = "100", message = "must be between 0 and 100") Double value) {

    public static final Percent ALL = new Percent(100.0);

    public double orZero() {
        return value == null ? 0 : value;
    }
}
