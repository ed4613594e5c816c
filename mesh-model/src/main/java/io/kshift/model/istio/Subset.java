package io.kshift.model.istio;

import io.kshift.model.Lists;
import io.kshift.model.constraint.LabelMap;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import java.util.Map;

/** A named version of a host: the endpoints whose labels include these labels. */
public record Subset(@NotBlank(message = "is required") String name, @LabelMap Map<String, String> labels,
                     @Valid TrafficPolicy trafficPolicy) {
    public Subset {
        labels = Lists.copy(labels);
    }
}
