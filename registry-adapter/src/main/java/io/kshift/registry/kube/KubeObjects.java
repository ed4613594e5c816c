package io.kshift.registry.kube;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.List;

/** What the cluster holds at one moment, as the informers' caches have it: the input of one reconcile. */
public record KubeObjects(List<Service> services, List<EndpointSlice> endpointSlices, List<Pod> pods) {
    public KubeObjects {
        services = List.copyOf(services);
        endpointSlices = List.copyOf(endpointSlices);
        pods = List.copyOf(pods);
    }
}
