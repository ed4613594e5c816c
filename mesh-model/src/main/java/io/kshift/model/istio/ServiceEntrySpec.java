package io.kshift.model.istio;

import io.kshift.model.Lists;
import io.kshift.model.resource.ResourceSpec;
import jakarta.validation.Valid;
import java.util.List;

/**
 * Istio {@code ServiceEntry}: a service by host name, with static or DNS endpoints. {@code subjectAltNames}: the names
 * a DestinationRule's SIMPLE or MUTUAL TLS to these hosts checks in the server's certificate when it gives none.
 */
public record ServiceEntrySpec(
        List<String> hosts,
        List<String> addresses,
        List<@Valid ServicePort> ports,
        Location location,
        Resolution resolution,
        List<@Valid WorkloadEntrySpec> endpoints,
        WorkloadSelector workloadSelector,
        @io.kshift.model.constraint.ExportTo(allowNone = true) List<String> exportTo,
        List<@jakarta.validation.constraints.NotBlank(message = "must not be empty") String> subjectAltNames)
        implements ResourceSpec {

    public enum Location { MESH_EXTERNAL, MESH_INTERNAL }

    public enum Resolution { NONE, STATIC, DNS, DNS_ROUND_ROBIN }

    public ServiceEntrySpec {
        hosts = Lists.copy(hosts);
        addresses = Lists.copy(addresses);
        ports = Lists.copy(ports);
        endpoints = Lists.copy(endpoints);
        exportTo = Lists.copy(exportTo);
        subjectAltNames = Lists.copy(subjectAltNames);
    }
}
