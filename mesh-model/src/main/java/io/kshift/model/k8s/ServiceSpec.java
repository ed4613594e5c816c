package io.kshift.model.k8s;

import io.kshift.model.Lists;
import io.kshift.model.resource.ResourceSpec;
import jakarta.validation.Valid;
import java.util.List;
import java.util.Map;

/** Core {@code v1 Service}: named ports and a label selector (over WorkloadEntries, as Istio does for VMs). */
public record ServiceSpec(List<@Valid KubeServicePort> ports, Map<String, String> selector, String type)
        implements ResourceSpec {
    public ServiceSpec {
        ports = Lists.copy(ports);
        selector = Lists.copy(selector);
    }
}
