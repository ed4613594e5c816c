package io.kshift.registry.kube;

import static io.kshift.registry.support.KubeFixtures.pod;
import static io.kshift.registry.support.KubeFixtures.slice;
import static io.kshift.registry.support.KubeFixtures.tcpEchoService;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.event.ChangeRequested;
import io.kshift.model.event.ChangeResult;
import io.kshift.model.event.ChangeStatus;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.event.Operation;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import io.kshift.registry.support.ValidatorProcess;
import io.kshift.registry.workloads.MeshRegistration;
import io.kshift.testkit.Bus;
import io.kshift.testkit.KafkaBrokerResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The adapter against the fabric8 mock API server (CRUD mode: objects created, updated and watched as in a
 * cluster), the test broker and the real validator: pods become WorkloadEntries in the live config, a pod that
 * goes away is deregistered, even when that leaves a route without endpoints (make-before-break holds for operators:
 * a gone pod's entry would keep only its address, which the next pod gets).
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@WithTestResource(KafkaBrokerResource.class)
class RegistryAdapterTest {
    private static ValidatorProcess validator;

    @Inject
    KubernetesClient kube;

    @BeforeAll
    static void startValidator() throws Exception {
        validator = ValidatorProcess.start();
    }

    @AfterAll
    static void stopValidator() throws InterruptedException {
        validator.close();
    }

    @Test
    void podsAreRegisteredAndThoseGoneDeregisteredEvenWhenARouteIsLeftWithoutEndpoints() throws Exception {
        Pod v1 = pod("default", "tcp-echo-v1-7f9c", "v1", "10.1.0.11");
        Pod v1b = pod("default", "tcp-echo-v1-8a1e", "v1", "10.1.0.13");
        Pod v2 = pod("default", "tcp-echo-v2-5b2d", "v2", "10.1.0.12");
        kube.resource(tcpEchoService("default")).create();
        kube.resource(v1).create();
        kube.resource(v1b).create();
        kube.resource(v2).create();
        kube.resource(slice("default", "tcp-echo-abcde", 9000, v1, v1b, v2)).create();

        MeshSnapshot registered = liveWhere(s -> managedNames(s).equals(
                List.of("tcp-echo", "tcp-echo-v1-7f9c", "tcp-echo-v1-8a1e", "tcp-echo-v2-5b2d")));
        Resource w2 = registered.resources().stream().filter(r -> r.name().equals("tcp-echo-v2-5b2d")).findFirst()
                .orElseThrow();
        assertThat(w2.specAs(io.kshift.model.istio.WorkloadEntrySpec.class).address()).isEqualTo("10.1.0.12");

        // An operator routes everything to v2, then v2's only pod goes away.
        operatorApplies("""
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: tcp-echo}
                spec:
                  host: tcp-echo
                  subsets:
                  - {name: v1, labels: {version: v1}}
                  - {name: v2, labels: {version: v2}}
                """ + routeTo("v2"));
        liveWhere(s -> s.resources().stream().anyMatch(r -> r.type() == Kind.VIRTUAL_SERVICE));
        // v2's only pod and one of v1's go away together: both are deregistered, though the route to v2 is left
        // without endpoints (a warning; it answers 503, as Istio's): kept, v2's entry would keep only its address,
        // which Kubernetes gives the next pod, of any service.
        kube.resource(slice("default", "tcp-echo-abcde", 9000, v1)).update();
        kube.resource(v2).delete();
        kube.resource(v1b).delete();

        ChangeResult gone = resultWhere(r -> r.changeId().startsWith("registry-")
                && r.status() == ChangeStatus.ACCEPTED && r.warnings().stream()
                .anyMatch(w -> w.message().contains("workloads are gone")));
        assertThat(gone.warnings()).anySatisfy(w -> assertThat(w.field()).contains("subset"));
        MeshSnapshot done = liveWhere(s -> managedNames(s).equals(List.of("tcp-echo", "tcp-echo-v1-7f9c")));

        // Nothing more once the mesh matches the cluster (waiting out a resync): no change loops, and each of the
        // first four resources was applied once. The objects are created one by one, so on a slow machine the
        // debounce may close before the informers have seen them all: one APPLY or several, never a resource twice.
        Thread.sleep(3000);
        List<ChangeRequested> changes = Bus.readUntil(MeshTopics.CHANGES, rs -> rs.stream()
                        .anyMatch(r -> r.value().contains(done.changeId()))).stream()
                .map(r -> EventCodec.decode(r.value(), ChangeRequested.class))
                .filter(c -> c.changeId().startsWith("registry-")).toList();
        assertThat(changes.get(changes.size() - 1).changeId()).isEqualTo(done.changeId());
        assertThat(changes.stream().filter(c -> c.operation() == Operation.APPLY)
                .flatMap(c -> c.resources().stream()).map(r -> r.key().toString()).sorted().toList())
                .containsExactlyElementsOf(registered.resources().stream().filter(MeshRegistration::isManaged)
                        .map(r -> r.key().toString()).sorted().toList())
                .hasSize(4);
    }

    private static String routeTo(String subset) {
        return """
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: tcp-echo}
                spec:
                  hosts: [tcp-echo]
                  tcp:
                  - route:
                    - destination: {host: tcp-echo, port: {number: 9000}, subset: %s}
                """.formatted(subset);
    }

    private static List<String> managedNames(MeshSnapshot s) {
        return s.resources().stream().filter(MeshRegistration::isManaged).map(Resource::name).sorted().toList();
    }

    private static void operatorApplies(String yaml) throws Exception {
        var parsed = ResourceReader.readBody(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                io.kshift.model.codec.BodyFormat.YAML);
        assertThat(parsed.errors()).isEmpty();
        List<Resource> resources = parsed.resources();
        Bus.send(MeshTopics.CHANGES, MeshTopics.MESH_KEY, EventCodec.encode(ChangeRequested.of(
                "operator-" + UUID.randomUUID(), Instant.now(), Operation.APPLY, resources, false)));
    }

    private static MeshSnapshot liveWhere(Predicate<MeshSnapshot> condition) {
        List<ConsumerRecord<String, String>> records = Bus.readUntil(MeshTopics.CONFIG,
                rs -> !rs.isEmpty() && condition.test(latest(rs)));
        return latest(records);
    }

    private static MeshSnapshot latest(List<ConsumerRecord<String, String>> records) {
        io.kshift.model.event.ConfigFold fold = new io.kshift.model.event.ConfigFold();
        records.forEach(r -> fold.accept(r.key(), r.value()));
        return fold.live();
    }

    private static ChangeResult resultWhere(Predicate<ChangeResult> condition) {
        List<ConsumerRecord<String, String>> records = Bus.readUntil(MeshTopics.CHANGE_RESULTS,
                rs -> rs.stream().map(r -> EventCodec.decode(r.value(), ChangeResult.class)).anyMatch(condition));
        return records.stream().map(r -> EventCodec.decode(r.value(), ChangeResult.class)).filter(condition)
                .findFirst().orElseThrow();
    }
}
