package io.kshift.model.registry;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A service the mesh knows: a Kubernetes-style Service (endpoints = WorkloadEntries its selector matches) or a
 * ServiceEntry (inline endpoints, selected WorkloadEntries, or DNS names), with the ServiceEntry's
 * {@code subjectAltNames} (none for a Service).
 */
public record MeshService(String host, String namespace, String name, Origin origin, List<ServicePortInfo> ports,
                          List<Endpoint> endpoints, boolean dnsResolved, List<String> subjectAltNames) {

    public enum Origin { SERVICE, SERVICE_ENTRY }

    /** The port a destination names; with no port named, the service's only port. */
    public Optional<ServicePortInfo> port(Integer number) {
        if (number == null) {
            return ports.size() == 1 ? Optional.of(ports.get(0)) : Optional.empty();
        }
        return ports.stream().filter(p -> p.number() == number).findFirst();
    }

    /** Where one endpoint listens for a service port: its named port, else the target port, else the same number. */
    public static int endpointPort(Endpoint endpoint, ServicePortInfo port) {
        String name = port.targetPortName() != null ? port.targetPortName() : port.name();
        Integer named = name == null ? null : endpoint.ports().get(name);
        if (named != null) {
            return named;
        }
        return port.targetPort() != null ? port.targetPort() : port.number();
    }

    /** The endpoints a subset's labels select (all of them for no subset). */
    public List<Endpoint> endpoints(Map<String, String> subsetLabels) {
        return endpoints.stream().filter(e -> e.matches(subsetLabels)).toList();
    }

    public String displayName() {
        return (origin == Origin.SERVICE ? "Service " : "ServiceEntry ") + namespace + "/" + name;
    }
}
