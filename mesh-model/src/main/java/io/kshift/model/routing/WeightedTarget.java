package io.kshift.model.routing;

import io.kshift.model.registry.DestinationResolver;

/**
 * One weighted destination of a bound route, as written: an Istio destination (host, subset, port, seen from a
 * namespace) or a Gateway API backendRef (a Service by namespace/name). {@code field} is its path for errors.
 */
public record WeightedTarget(String field, int weight, String host, String subset, Integer port, String namespace,
                             boolean backendRef) {

    public DestinationResolver.Result resolve(DestinationResolver resolver) {
        return backendRef ? resolver.resolveBackend(namespace, host, port)
                : resolver.resolve(host, subset, port, namespace);
    }

    public String describe() {
        return backendRef ? "Service " + namespace + "/" + host + ":" + port
                : host + (subset == null ? "" : " subset " + subset) + (port == null ? "" : ":" + port);
    }
}
