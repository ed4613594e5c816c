package io.kshift.registry.workloads;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.istio.WorkloadEntrySpec;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistrationDiffTest {
    private static Resource workload(String name, String address) {
        return MeshRegistration.managed(Kind.WORKLOAD_ENTRY, "default", name,
                new WorkloadEntrySpec(address, Map.of("tcp", 9000), Map.of("app", "tcp-echo"), null, null, null,
                        null));
    }

    @Test
    void appliesWhatIsNewOrDifferentAndDeletesOnlyItsOwnLeftovers() {
        Resource operatorsOwn = Resource.of(Kind.WORKLOAD_ENTRY, "default", "vm-1",
                new WorkloadEntrySpec("192.168.1.5", Map.of(), Map.of("app", "tcp-echo"), null, null, null, null));
        List<Resource> live = List.of(workload("a", "10.0.0.1"), workload("b", "10.0.0.2"), workload("gone", "x"),
                operatorsOwn);

        RegistrationDiff diff = RegistrationDiff.between(
                List.of(workload("a", "10.0.0.1"), workload("b", "10.0.0.9"), workload("new", "10.0.0.3")), live);

        assertThat(diff.apply()).extracting(Resource::name).containsExactly("b", "new");
        assertThat(diff.delete()).extracting(Resource::name).containsExactly("gone");
    }

    @Test
    void neverOverwritesAResourceAnOperatorApplied() {
        Resource operatorsOwn = Resource.of(Kind.WORKLOAD_ENTRY, "default", "a",
                new WorkloadEntrySpec("192.168.1.5", Map.of(), Map.of(), null, null, null, null));

        RegistrationDiff diff = RegistrationDiff.between(List.of(workload("a", "10.0.0.1")), List.of(operatorsOwn));

        assertThat(diff.isEmpty()).isTrue();
    }

    @Test
    void anAdapterForSomeNamespacesLeavesOtherNamespacesRegistrationsAlone() {
        Resource elsewhere = MeshRegistration.managed(Kind.WORKLOAD_ENTRY, "team-b", "b-1",
                new WorkloadEntrySpec("10.0.1.1", Map.of(), Map.of("app", "b"), null, null, null, null));
        RegistrationDiff diff = RegistrationDiff.between(List.of(), List.of(workload("gone", "x"), elsewhere),
                "default"::equals);
        assertThat(diff.delete()).extracting(Resource::name).containsExactly("gone");
    }

    @Test
    void aChangeCarriesAtMostTheApisLimitAdditionsFirst() {
        List<Resource> many = java.util.stream.IntStream.range(0, 2500).mapToObj(i -> workload("p" + i, "10.2.0." + i))
                .toList();
        RegistrationDiff diff = RegistrationDiff.between(many, List.of(workload("gone", "x")));
        assertThat(diff.nextBatch()).hasSize(RegistrationDiff.MAX_PER_CHANGE)
                .allSatisfy(r -> assertThat(r.name()).startsWith("p"));
        RegistrationDiff deletesOnly = RegistrationDiff.between(List.of(), List.of(workload("gone", "x")));
        assertThat(deletesOnly.nextBatch()).extracting(Resource::name).containsExactly("gone");
        long bytes = io.kshift.model.event.EventCodec.encode(io.kshift.model.event.ChangeRequested.of("c",
                java.time.Instant.EPOCH, io.kshift.model.event.Operation.APPLY, diff.nextBatch(), false)).length();
        assertThat(bytes).as("well within the bus's record limit").isLessThan(io.kshift.model.event.MeshTopics.MAX_RECORD_BYTES / 4);
    }

    @Test
    void equalStateMeansNoChange() {
        List<Resource> same = List.of(workload("a", "10.0.0.1"));
        assertThat(RegistrationDiff.between(same, same).isEmpty()).isTrue();
    }
}
