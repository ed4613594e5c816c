package io.kshift.model.istio;

import io.kshift.model.Lists;
import io.kshift.model.constraint.LabelMap;
import io.kshift.model.resource.ResourceSpec;
import java.util.Map;

/**
 * Istio {@code WorkloadEntry} (also a ServiceEntry's inline endpoint): a workload's address, its ports by service
 * port name, its labels ({@code app}, {@code version}) that Services and subsets select on, and its load-balancing
 * {@code weight} (0 or unset: 1).
 */
public record WorkloadEntrySpec(
        String address,
        Map<String, @io.kshift.model.constraint.PortNumber Integer> ports,
        @LabelMap Map<String, String> labels,
        String network,
        String locality,
        @jakarta.validation.constraints.PositiveOrZero(message = "must not be negative") Integer weight,
        String serviceAccount) implements ResourceSpec {
    public WorkloadEntrySpec {
        ports = Lists.copy(ports);
        labels = Lists.copy(labels);
    }
}
