package io.kshift.registry.workloads;

import static io.kshift.registry.support.KubeFixtures.pod;
import static io.kshift.registry.support.KubeFixtures.slice;
import static io.kshift.registry.support.KubeFixtures.tcpEchoService;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.kshift.model.istio.WorkloadEntrySpec;
import io.kshift.model.k8s.ServiceSpec;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.registry.ServiceRegistry;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import io.kshift.registry.kube.KubeObjects;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MeshRegistrationTest {
    private final Pod v1 = pod("default", "tcp-echo-v1-7f9c", "v1", "10.1.0.11");
    private final Pod v2 = pod("default", "tcp-echo-v2-5b2d", "v2", "10.1.0.12");

    @Test
    void aServiceAndItsReadyPodsBecomeAServiceAndWorkloadEntriesThatSubsetsSelect() {
        List<Resource> desired = MeshRegistration.desired(new KubeObjects(List.of(tcpEchoService("default")),
                List.of(slice("default", "tcp-echo-abcde", 9000, v1, v2)), List.of(v1, v2)));

        assertThat(desired).extracting(r -> r.key().toString())
                .containsExactly("Service default/tcp-echo", "WorkloadEntry default/tcp-echo-v1-7f9c",
                        "WorkloadEntry default/tcp-echo-v2-5b2d");
        assertThat(desired).allSatisfy(r -> assertThat(MeshRegistration.isManaged(r)).isTrue());
        WorkloadEntrySpec w = desired.get(2).specAs(WorkloadEntrySpec.class);
        assertThat(w.address()).isEqualTo("10.1.0.12");
        assertThat(w.ports()).isEqualTo(Map.of("tcp", 9000));
        assertThat(w.labels()).containsEntry("app", "tcp-echo").containsEntry("version", "v2");
        // What the validator and proxies make of it: the v2 subset's labels select exactly the v2 pod.
        var service = ServiceRegistry.build(MeshConfig.of(desired)).lookup("tcp-echo", "default").orElseThrow();
        assertThat(service.endpoints(Map.of("version", "v2"))).singleElement()
                .satisfies(e -> assertThat(e.address()).isEqualTo("10.1.0.12"));
    }

    @Test
    void aNamedTargetPortResolvesPerPodThroughTheSlice() {
        var service = new ServiceBuilder(tcpEchoService("default")).editSpec().editFirstPort()
                .withNewTargetPort("echo").endPort().endSpec().build();
        List<Resource> desired = MeshRegistration.desired(new KubeObjects(List.of(service),
                List.of(slice("default", "s", 9100, v1)), List.of(v1)));

        var registry = ServiceRegistry.build(MeshConfig.of(desired));
        var mesh = registry.lookup("tcp-echo", "default").orElseThrow();
        assertThat(io.kshift.model.registry.MeshService.endpointPort(mesh.endpoints(Map.of()).get(0),
                mesh.port(9000).orElseThrow())).isEqualTo(9100);
    }

    @Test
    void aSliceWithNoEndpointsAsTheApiServerWritesItIsNoEndpointsNotAFailure() throws Exception {
        // A Service scaled to zero: Kubernetes writes the slice's endpoints as null (the field has no omitempty),
        // which once failed every reconcile of the whole cluster.
        EndpointSlice empty = new com.fasterxml.jackson.databind.ObjectMapper().readValue("""
                {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
                 "metadata": {"name": "idle-xyz", "namespace": "default",
                              "labels": {"kubernetes.io/service-name": "idle"}},
                 "endpoints": null, "ports": null}
                """, EndpointSlice.class);
        assertThat(empty.getEndpoints()).isNull();
        var idle = new ServiceBuilder(tcpEchoService("default")).editMetadata().withName("idle").endMetadata()
                .editSpec().withSelector(Map.of("app", "idle")).endSpec().build();

        List<Resource> desired = MeshRegistration.desired(new KubeObjects(List.of(tcpEchoService("default"), idle),
                List.of(empty, slice("default", "tcp-echo-abcde", 9000, v1)), List.of(v1)));

        assertThat(desired).extracting(r -> r.key().toString()).containsExactlyInAnyOrder("Service default/tcp-echo",
                "Service default/idle", "WorkloadEntry default/tcp-echo-v1-7f9c");
    }

    @Test
    void podsNotReadyNotYetSeenOrNotPodsAreLeftOut() {
        EndpointSlice slice = new EndpointSliceBuilder(slice("default", "s", 9000, v1, v2))
                .editEndpoint(1).editConditions().withReady(false).endConditions().endEndpoint()
                .addNewEndpoint().withAddresses("192.168.0.9").endEndpoint()
                .build();
        Pod unseen = pod("default", "tcp-echo-v3-0000", "v3", "10.1.0.13");

        List<Resource> desired = MeshRegistration.desired(new KubeObjects(List.of(tcpEchoService("default")),
                List.of(slice, slice("default", "t", 9000, unseen)), List.of(v1, v2)));

        assertThat(desired).filteredOn(r -> r.type() == Kind.WORKLOAD_ENTRY).extracting(Resource::name)
                .containsExactly("tcp-echo-v1-7f9c");
    }

    @Test
    void aPodNotReadyOrTerminatingIsLeftOutEvenWhenItsSliceCallsItReady() {
        // A Service with publishNotReadyAddresses (a StatefulSet's headless one): every endpoint is marked ready.
        Pod notReady = new io.fabric8.kubernetes.api.model.PodBuilder(v1).editStatus().addNewCondition()
                .withType("Ready").withStatus("False").endCondition().endStatus().build();
        Pod terminating = new io.fabric8.kubernetes.api.model.PodBuilder(v2).editMetadata()
                .withDeletionTimestamp("2026-12-06T12:00:00Z").endMetadata().editStatus().addNewCondition()
                .withType("Ready").withStatus("True").endCondition().endStatus().build();
        Pod ready = new io.fabric8.kubernetes.api.model.PodBuilder(pod("default", "tcp-echo-v3-1111", "v3",
                "10.1.0.14")).editStatus().addNewCondition().withType("Ready").withStatus("True").endCondition()
                .endStatus().build();

        List<Resource> desired = MeshRegistration.desired(new KubeObjects(List.of(tcpEchoService("default")),
                List.of(slice("default", "s", 9000, notReady, terminating, ready)), List.of(notReady, terminating,
                ready)));

        assertThat(desired).filteredOn(r -> r.type() == Kind.WORKLOAD_ENTRY).extracting(Resource::name)
                .containsExactly("tcp-echo-v3-1111");
    }

    @Test
    void servicesWithoutSelectorsOrPortsAndSlicesOfOtherServicesSelectNothing() {
        var external = new ServiceBuilder().withNewMetadata().withName("db").withNamespace("default")
                .endMetadata().withNewSpec().withType("ExternalName").withExternalName("db.example.com")
                .endSpec().build();
        EndpointSlice orphan = new EndpointSliceBuilder(slice("default", "x", 9000, v1)).editMetadata()
                .addToLabels("kubernetes.io/service-name", "other").endMetadata().build();

        var headless = new ServiceBuilder().withNewMetadata().withName("peers").withNamespace("default")
                .endMetadata().withNewSpec().withClusterIP("None").addToSelector("app", "tcp-echo").endSpec().build();

        List<Resource> desired = MeshRegistration.desired(new KubeObjects(List.of(external, headless),
                List.of(orphan), List.of(v1)));

        assertThat(desired).isEmpty();
    }

    @Test
    void anUnnamedPortGetsOneNameOnTheServiceAndItsWorkloads() {
        var service = new ServiceBuilder(tcpEchoService("default")).editSpec().editFirstPort().withName(null)
                .endPort().endSpec().build();
        EndpointSlice slice = new EndpointSliceBuilder(slice("default", "s", 9000, v1)).editFirstPort()
                .withName("").endPort().build();

        List<Resource> desired = MeshRegistration.desired(new KubeObjects(List.of(service), List.of(slice),
                List.of(v1)));

        assertThat(desired.get(0).specAs(ServiceSpec.class).ports().get(0).name()).isEqualTo("unnamed");
        assertThat(desired.get(1).specAs(WorkloadEntrySpec.class).ports()).isEqualTo(Map.of("unnamed", 9000));
    }

    /** Istio reads a Service's visibility from its exportTo annotation: it reaches the mesh with the Service. */
    @Test
    void aServicesExportToAnnotationTravelsWithIt() {
        var annotated = new ServiceBuilder(tcpEchoService("default")).editMetadata()
                .addToAnnotations("networking.istio.io/exportTo", ".").addToAnnotations("team", "ignored")
                .endMetadata().build();
        List<Resource> desired = MeshRegistration.desired(new KubeObjects(List.of(annotated),
                List.of(slice("default", "tcp-echo-abcde", 9000, v1)), List.of(v1)));
        assertThat(desired.get(0).metadata().annotations())
                .isEqualTo(Map.of("networking.istio.io/exportTo", "."));
        assertThat(io.kshift.model.routing.Exports.exportedTo(desired.get(0), "istio-system")).isFalse();
    }

    @Test
    void twoServicesGivingOnePortNameDifferentContainerPortsEachReachTheirOwn() {
        // tcp-echo's "tcp" is the pod's 9000; tcp-echo-admin's "tcp" (port 9900) is the same pod's 9500.
        var admin = new ServiceBuilder(tcpEchoService("default")).editMetadata().withName("tcp-echo-admin")
                .endMetadata().editSpec().editFirstPort().withPort(9900).endPort().endSpec().build();
        var adminSlice = new EndpointSliceBuilder(slice("default", "admin-x", 9500, v1, v2)).editMetadata()
                .addToLabels("kubernetes.io/service-name", "tcp-echo-admin").endMetadata().build();

        List<Resource> desired = MeshRegistration.desired(new KubeObjects(List.of(tcpEchoService("default"), admin),
                List.of(slice("default", "s", 9000, v1, v2), adminSlice), List.of(v1, v2)));

        var registry = ServiceRegistry.build(MeshConfig.of(desired));
        for (var expected : Map.of("tcp-echo", 9000, "tcp-echo-admin", 9500).entrySet()) {
            var mesh = registry.lookup(expected.getKey(), "default").orElseThrow();
            var port = mesh.ports().get(0);
            assertThat(mesh.endpoints(Map.of())).hasSize(2).allSatisfy(e -> assertThat(
                    io.kshift.model.registry.MeshService.endpointPort(e, port)).as(expected.getKey())
                    .isEqualTo(expected.getValue()));
        }
        assertThat(desired).filteredOn(r -> r.type() == Kind.WORKLOAD_ENTRY).first()
                .satisfies(w -> assertThat(w.specAs(WorkloadEntrySpec.class).ports())
                        .isEqualTo(Map.of("tcp.tcp-echo", 9000, "tcp.tcp-echo-admin", 9500)));
        // Where the Services agree, the workload keeps the port's own name (nothing changes for the usual case).
        List<Resource> agreeing = MeshRegistration.desired(new KubeObjects(List.of(tcpEchoService("default"), admin),
                List.of(slice("default", "s", 9000, v1), new EndpointSliceBuilder(slice("default", "a", 9000, v1))
                        .editMetadata().addToLabels("kubernetes.io/service-name", "tcp-echo-admin").endMetadata()
                        .build()), List.of(v1)));
        assertThat(agreeing).filteredOn(r -> r.type() == Kind.WORKLOAD_ENTRY).singleElement()
                .satisfies(w -> assertThat(w.specAs(WorkloadEntrySpec.class).ports()).isEqualTo(Map.of("tcp", 9000)));
        assertThat(agreeing).filteredOn(r -> r.type() == Kind.SERVICE)
                .allSatisfy(r -> assertThat(r.specAs(ServiceSpec.class).ports().get(0).targetPort()).isNull());
    }

    @Test
    void aDualStackPodIsRegisteredByItsServicesPrimaryFamilyWhateverTheSliceOrder() {
        EndpointSlice v6 = new EndpointSliceBuilder(slice("default", "s6", 9000, v1)).withAddressType("IPv6")
                .editFirstEndpoint().withAddresses("fd00::11").endEndpoint().build();
        EndpointSlice v4 = slice("default", "s4", 9000, v1);
        var dual = new ServiceBuilder(tcpEchoService("default")).editSpec().withIpFamilies("IPv4", "IPv6").endSpec()
                .build();
        var v6First = new ServiceBuilder(dual).editSpec().withIpFamilies("IPv6", "IPv4").endSpec().build();

        for (List<EndpointSlice> order : List.of(List.of(v6, v4), List.of(v4, v6))) {
            assertThat(address(MeshRegistration.desired(new KubeObjects(List.of(dual), order, List.of(v1)))))
                    .isEqualTo("10.1.0.11");
            assertThat(address(MeshRegistration.desired(new KubeObjects(List.of(tcpEchoService("default")), order,
                    List.of(v1))))).as("no ipFamilies: IPv4").isEqualTo("10.1.0.11");
            assertThat(address(MeshRegistration.desired(new KubeObjects(List.of(v6First), order, List.of(v1)))))
                    .isEqualTo("fd00::11");
        }
    }

    private static String address(List<Resource> desired) {
        return desired.stream().filter(r -> r.type() == Kind.WORKLOAD_ENTRY).findFirst().orElseThrow()
                .specAs(WorkloadEntrySpec.class).address();
    }
}
