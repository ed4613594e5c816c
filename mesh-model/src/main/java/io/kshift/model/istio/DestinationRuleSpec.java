package io.kshift.model.istio;

import io.kshift.model.Lists;
import io.kshift.model.resource.ResourceSpec;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import java.util.List;

/**
 * Istio {@code DestinationRule}: subsets (versions) of a host by labels, and the traffic policy toward it.
 * {@code workloadSelector}: only the proxy nodes of the rule's namespace whose labels it selects use it.
 */
public record DestinationRuleSpec(
        @NotBlank(message = "is required") String host,
        @Valid TrafficPolicy trafficPolicy,
        List<@Valid Subset> subsets,
        @io.kshift.model.constraint.ExportTo List<String> exportTo,
        @Valid MatchLabelsSelector workloadSelector) implements ResourceSpec {
    public DestinationRuleSpec {
        subsets = Lists.copy(subsets);
        exportTo = Lists.copy(exportTo);
    }

    public DestinationRuleSpec(String host, TrafficPolicy trafficPolicy, List<Subset> subsets, List<String> exportTo) {
        this(host, trafficPolicy, subsets, exportTo, null);
    }
}
