package io.kshift.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.local.ChangeHops.Bus;
import io.kshift.local.ChangeHops.Config;
import io.kshift.local.ChangeHops.Measured;
import io.kshift.local.ChangeHops.Seen;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChangeHopsTest {
    private static final Measured CHANGE = new Measured("c1", List.of("proxy-1", "proxy-2"), 1000, 1200);

    private static Bus bus(Map<String, List<long[]>> reports) {
        return new Bus(Map.of("c1", new Seen(1010, 1015)), Map.of("c1", new Seen(1040, 1060)),
                Map.of("c1", new Config(7, 1045, 1090)), reports);
    }

    @Test
    void splitsAChangeIntoItsHopsUpToTheSlowestOfItsNodes() {
        List<long[]> splits = ChangeHops.of(List.of(CHANGE), bus(Map.of(
                "proxy-1", List.of(new long[] {6, 990, 991}, new long[] {7, 1120, 1170}, new long[] {7, 1190, 1191}),
                "proxy-2", List.of(new long[] {6, 1100, 1101}, new long[] {7, 1150, 1160}))));
        assertThat(splits).as("the last report sent at 1150, the last of them read at 1170").singleElement()
                .isEqualTo(new long[] {10, 30, 5, 45, 60, 20, 30});
        assertThat(ChangeHops.describe(splits, 1)).isEqualTo(
                "[config-service 10, validator 30, publish 5, commit 45, proxies 60, report 20, answer 30 ms]");
    }

    @Test
    void onlyTheNodesTheAnswerNamesCountAndOnlyBetweenThePostAndTheAnswer() {
        long[] expected = {10, 30, 5, 45, 30, 5, 75};
        assertThat(ChangeHops.of(List.of(CHANGE), bus(Map.of("proxy-1", List.of(new long[] {7, 1120, 1125}),
                "proxy-2", List.of(new long[] {7, 1110, 1112}), "gone", List.of(new long[] {3, 500, 501})))))
                .as("a node that left the fleet is not waited for").singleElement().isEqualTo(expected);
        assertThat(ChangeHops.of(List.of(CHANGE), bus(Map.of("proxy-1", List.of(new long[] {7, 1120, 1121}),
                "proxy-2", List.of(new long[] {6, 1150, 1151}, new long[] {7, 1250, 1251})))))
                .as("a report after the answer is not this answer's").isEmpty();
        assertThat(ChangeHops.of(List.of(CHANGE), bus(Map.of("proxy-1", List.of(new long[] {7, 1120, 1121})))))
                .as("a node the answer names never reported").isEmpty();
    }

    @Test
    void aChangeThatMadeNoGenerationHasNoConfigRecordAndIsLeftOut() {
        Bus noConfig = new Bus(Map.of("c1", new Seen(1010, 1015)), Map.of("c1", new Seen(1040, 1060)),
                Map.of("an earlier change", new Config(7, 900, 950)), Map.of("proxy-1",
                List.of(new long[] {7, 1100, 1101}), "proxy-2", List.of(new long[] {7, 1100, 1101})));
        assertThat(ChangeHops.of(List.of(CHANGE), noConfig)).isEmpty();
    }

    @Test
    void severalChangesGiveP50AndMaxPerHopAndTheSlowestChangesOwnSplit() {
        List<long[]> splits = List.of(new long[] {1, 2, 3, 4, 5, 1, 6}, new long[] {9, 2, 3, 40, 5, 1, 6},
                new long[] {2, 20, 3, 4, 5, 7, 6});
        assertThat(ChangeHops.describe(splits, 4)).isEqualTo("config-service 2 / 9, validator 2 / 20, publish 3 / 3, "
                + "commit 4 / 40, proxies 5 / 5, report 1 / 7, answer 6 / 6; the slowest change (66 ms): "
                + "config-service 9, validator 2, publish 3, commit 40, proxies 5, report 1, answer 6 "
                + "(3 of 4 changes read whole)");
    }
}
