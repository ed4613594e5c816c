package io.kshift.registry.support;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.Arrays;
import java.util.Map;

/** Kubernetes objects shaped like the seed's tcp-echo Deployments and what the cluster derives from them. */
public final class KubeFixtures {
    private KubeFixtures() {
    }

    /** The seed's tcp-echo Service: port 9000 named {@code tcp}, selecting {@code app: tcp-echo}. */
    public static Service tcpEchoService(String namespace) {
        return new ServiceBuilder().withNewMetadata().withName("tcp-echo").withNamespace(namespace)
                .addToLabels("app", "tcp-echo").endMetadata()
                .withNewSpec().addToSelector("app", "tcp-echo")
                .addNewPort().withName("tcp").withPort(9000).withProtocol("TCP").endPort().endSpec().build();
    }

    public static Pod pod(String namespace, String name, String version, String ip) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .withLabels(Map.of("app", "tcp-echo", "version", version, "pod-template-hash", "5d4f"))
                .endMetadata().withNewStatus().withPodIP(ip).endStatus().build();
    }

    /** A slice of the tcp-echo Service: its port as the pods serve it, one endpoint per pod. */
    public static EndpointSlice slice(String namespace, String name, int port, Pod... pods) {
        return new EndpointSliceBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels("kubernetes.io/service-name", "tcp-echo").endMetadata()
                .withAddressType("IPv4")
                .addNewPort().withName("tcp").withPort(port).withProtocol("TCP").endPort()
                .withEndpoints(Arrays.stream(pods).map(p -> new EndpointBuilder()
                        .withAddresses(p.getStatus().getPodIP())
                        .withNewConditions().withReady(true).endConditions()
                        .withNewTargetRef().withKind("Pod").withName(p.getMetadata().getName())
                        .withNamespace(namespace).endTargetRef().build()).toList())
                .build();
    }
}
