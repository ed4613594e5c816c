package io.kshift.model.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.event.ResourceAction.Action;
import io.kshift.model.istio.WorkloadEntrySpec;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MeshConfigTest {
    static Resource workload(String name, String address) {
        return Resource.of(Kind.WORKLOAD_ENTRY, "default", name,
                new WorkloadEntrySpec(address, Map.of(), Map.of(), null, null, null, null));
    }

    @Test
    void applyReportsCreatedConfiguredUnchangedAndLeavesTheOriginal() {
        var first = MeshConfig.empty().apply(List.of(workload("a", "10.0.0.1"))).config();
        var second = first.apply(List.of(workload("a", "10.0.0.1"), workload("b", "10.0.0.2")));
        assertThat(second.actions()).extracting(a -> a.action()).containsExactly(Action.UNCHANGED, Action.CREATED);
        var third = second.config().apply(List.of(workload("a", "10.0.0.9")));
        assertThat(third.actions()).extracting(a -> a.action()).containsExactly(Action.CONFIGURED);
        assertThat(first.size()).isEqualTo(1);
        var deleted = third.config().delete(List.of(workload("b", "x"), workload("zz", "x")));
        assertThat(deleted.actions()).extracting(a -> a.action()).containsExactly(Action.DELETED, Action.NOT_FOUND);
        assertThat(deleted.config().size()).isEqualTo(1);
    }

    @Test
    void replaceMakesTheConfigExactlyTheGivenResources() {
        var live = MeshConfig.empty().apply(List.of(workload("a", "1"), workload("b", "2"))).config();
        var replaced = live.replaceWith(List.of(workload("a", "9"), workload("c", "3")));
        assertThat(replaced.config().all()).extracting(r -> r.name()).containsExactly("a", "c");
        assertThat(replaced.actions()).extracting(a -> a.name() + " " + a.action())
                .containsExactly("a CONFIGURED", "b DELETED", "c CREATED");
        assertThat(live.replaceWith(live.all()).actions()).isEmpty();
    }

    @Test
    void parsesIstioDurations() {
        assertThat(IstioDuration.parse("10s")).contains(Duration.ofSeconds(10));
        assertThat(IstioDuration.parse("1.5s")).contains(Duration.ofMillis(1500));
        assertThat(IstioDuration.parse("1m30s")).contains(Duration.ofSeconds(90));
        assertThat(IstioDuration.parse("250ms")).contains(Duration.ofMillis(250));
        assertThat(IstioDuration.parse("ten")).isEmpty();
        assertThat(IstioDuration.parse("5")).isEmpty();
    }
}
