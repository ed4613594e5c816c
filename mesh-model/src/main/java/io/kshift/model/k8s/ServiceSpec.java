package io.kshift.model.k8s;

import io.kshift.model.Lists;
import io.kshift.model.constraint.LabelMap;
import io.kshift.model.resource.ResourceSpec;
import jakarta.validation.Valid;
import java.util.List;
import java.util.Map;

/**
 * Core {@code v1 Service}: named ports and a label selector (over WorkloadEntries, as Istio does for VMs).
 * {@code ipFamilyPolicy} and {@code ipFamilies} (dual-stack) decide which cluster IPs Kubernetes allocates; kshift
 * allocates none (its endpoints are the addresses workloads register), so they are read, checked and have no effect.
 */
public record ServiceSpec(List<@Valid KubeServicePort> ports, @LabelMap Map<String, String> selector, String type,
                          IpFamilyPolicy ipFamilyPolicy, List<IpFamily> ipFamilies) implements ResourceSpec {
    public enum IpFamilyPolicy { SingleStack, PreferDualStack, RequireDualStack }

    public enum IpFamily { IPv4, IPv6 }

    public ServiceSpec {
        ports = Lists.copy(ports);
        selector = Lists.copy(selector);
        ipFamilies = Lists.copy(ipFamilies);
    }

    public ServiceSpec(List<KubeServicePort> ports, Map<String, String> selector, String type) {
        this(ports, selector, type, null, List.of());
    }
}
