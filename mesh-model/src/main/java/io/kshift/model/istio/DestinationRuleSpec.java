package io.kshift.model.istio;

import io.kshift.model.Lists;
import io.kshift.model.resource.ResourceSpec;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import java.util.List;

/** Istio {@code DestinationRule}: subsets (versions) of a host by labels, and the traffic policy toward it. */
public record DestinationRuleSpec(
        @NotBlank(message = "is required") String host,
        @Valid TrafficPolicy trafficPolicy,
        List<@Valid Subset> subsets,
        @io.kshift.model.constraint.ExportTo List<String> exportTo) implements ResourceSpec {
    public DestinationRuleSpec {
        subsets = Lists.copy(subsets);
        exportTo = Lists.copy(exportTo);
    }
}
