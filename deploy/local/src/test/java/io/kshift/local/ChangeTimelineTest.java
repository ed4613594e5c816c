package io.kshift.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.local.ChangeTimeline.Measured;
import io.kshift.local.ChangeTimeline.Seen;
import io.kshift.model.event.ChangeRequested;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.Operation;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChangeTimelineTest {
    @Test
    void splitsAChangeIntoItsHopsAndWaitsForTheSlowestNode() {
        Measured m = new Measured("c1", 7, 1000, 1200);
        Map<String, List<long[]>> reports = Map.of(
                "proxy-1", List.of(new long[] {6, 990}, new long[] {7, 1120}, new long[] {7, 1190}),
                "proxy-2", List.of(new long[] {6, 1100}, new long[] {7, 1150}));
        Map<String, List<Long>> hops = ChangeTimeline.hops(List.of(m), Map.of("c1", new Seen(1010, 1015)),
                Map.of("c1", new Seen(1040, 1060)), Map.of(7L, new Seen(1045, 1090)), reports);
        assertThat(hops).containsExactly(Map.entry("config-service", List.of(10L)),
                Map.entry("validator", List.of(30L)), Map.entry("commit", List.of(50L)),
                Map.entry("proxies", List.of(60L)), Map.entry("answer", List.of(50L)));
    }

    @Test
    void leavesOutAChangeANodeNeverReportedOrWhoseRecordsWereNotSeen() {
        Measured m = new Measured("c1", 7, 1000, 1200);
        Map<String, List<long[]>> behind = Map.of("proxy-1", List.of(new long[] {7, 1100}),
                "proxy-2", List.of(new long[] {6, 1150}));
        assertThat(ChangeTimeline.hops(List.of(m), Map.of("c1", new Seen(1010, 1015)),
                Map.of("c1", new Seen(1040, 1060)), Map.of(7L, new Seen(1045, 1090)), behind).get("answer")).isEmpty();
        // A report of the generation from before the POST is an earlier change's, not this one's.
        Map<String, List<long[]>> early = Map.of("proxy-1", List.of(new long[] {7, 990}));
        assertThat(ChangeTimeline.hops(List.of(m), Map.of("c1", new Seen(1010, 1015)),
                Map.of("c1", new Seen(1040, 1060)), Map.of(7L, new Seen(1045, 1090)), early).get("proxies")).isEmpty();
        assertThat(ChangeTimeline.hops(List.of(m), Map.of(), Map.of("c1", new Seen(1040, 1060)),
                Map.of(7L, new Seen(1045, 1090)), Map.of("proxy-1", List.of(new long[] {7, 1100}))).get("validator"))
                .isEmpty();
    }

    @Test
    void readsTheIdOfAChangeAsTheConfigServiceWritesIt() {
        ChangeRequested change = ChangeRequested.of("id-42", Instant.EPOCH, Operation.APPLY, List.of(), false);
        assertThat(ChangeTimeline.changeId(EventCodec.encode(change).getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("id-42");
        assertThat(ChangeTimeline.changeId("{\"resources\":[{\"changeId\":\"inner\"}],\"changeId\":\"outer\"}"
                .getBytes(StandardCharsets.UTF_8))).as("a nested field is not the change's").isEqualTo("outer");
        assertThat(ChangeTimeline.changeId("not json".getBytes(StandardCharsets.UTF_8))).isNull();
    }
}
