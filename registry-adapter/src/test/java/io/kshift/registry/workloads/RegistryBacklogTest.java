package io.kshift.registry.workloads;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.Operation;
import io.kshift.model.event.Schemas;
import io.kshift.model.istio.WorkloadEntrySpec;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistryBacklogTest {
    private final RegistryBacklog backlog = new RegistryBacklog();

    private static Resource workload(String name, String address) {
        return MeshRegistration.managed(Kind.WORKLOAD_ENTRY, "default", name,
                new WorkloadEntrySpec(address, Map.of("tcp", 9000), Map.of("app", "tcp-echo"), null, null, null,
                        null));
    }

    private static MeshSnapshot live(long generation, Resource... resources) {
        return new MeshSnapshot(Schemas.MESH_SNAPSHOT, generation, "c" + generation, Instant.EPOCH,
                List.of(resources));
    }

    private RegistryBacklog.Batch next(List<Resource> desired, MeshSnapshot live) {
        return backlog.next(desired, live, ns -> true).orElse(null);
    }

    @Test
    void eachChangeIsConditionalOnTheGenerationItWasDiffedAgainst() {
        RegistryBacklog.Batch batch = next(List.of(workload("a", "10.0.0.1")), live(7));

        assertThat(batch.operation()).isEqualTo(Operation.APPLY);
        assertThat(batch.ifGeneration()).isEqualTo(7);
        assertThat(next(List.of(), live(8, workload("gone", "10.0.0.9"))))
                .extracting(RegistryBacklog.Batch::operation, RegistryBacklog.Batch::ifGeneration)
                .containsExactly(Operation.DELETE, 8L);
    }

    @Test
    void aNoOpBatchIsNotSentAgainButEverythingElseGoesOutAtOnce() {
        Resource a = workload("a", "10.0.0.1");
        RegistryBacklog.Batch first = next(List.of(a), live(3));
        backlog.unchanged(first);

        // The same desired resource again: nothing to send (no loop of no-op changes).
        assertThat(next(List.of(a), live(3))).isNull();
        // A new pod in the meantime goes out at once, without the no-op one.
        Resource b = workload("b", "10.0.0.2");
        assertThat(next(List.of(a, b), live(3)).resources()).containsExactly(b);
        // The no-op registration in another form (its pod moved) is a real difference: sent.
        Resource moved = workload("a", "10.0.0.7");
        assertThat(next(List.of(moved), live(3)).resources()).containsExactly(moved);
        // A resync forgets it: diffed and sent once more.
        backlog.resync();
        assertThat(next(List.of(a), live(3)).resources()).containsExactly(a);
    }

    @Test
    void aNoOpDeletionIsNotSentAgain() {
        MeshSnapshot live = live(4, workload("gone", "10.0.0.9"));
        backlog.unchanged(next(List.of(), live));

        assertThat(next(List.of(), live)).isNull();
    }

    @Test
    void aRefusedBatchIsSplitAndALoneRefusalSetAsideUntilTheResync() {
        Resource a = workload("a", "10.0.0.1");
        Resource b = workload("b", "10.0.0.2");
        RegistryBacklog.Batch both = next(List.of(a, b), live(1));
        assertThat(both.resources()).hasSize(2);

        assertThat(backlog.refused(both)).isFalse();
        RegistryBacklog.Batch one = next(List.of(a, b), live(1));
        assertThat(one.resources()).containsExactly(a);
        assertThat(backlog.refused(one)).isTrue();
        assertThat(next(List.of(a, b), live(1)).resources()).containsExactly(b);

        backlog.resync();
        assertThat(next(List.of(a, b), live(1)).resources()).containsExactly(a, b);
    }
}
