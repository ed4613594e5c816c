package io.kshift.proxy.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class WeightedPickerTest {
    static int[] counts(int[] weights, int picks) {
        WeightedPicker picker = new WeightedPicker(weights);
        int[] counts = new int[weights.length];
        IntStream.range(0, picks).forEach(i -> counts[picker.pick()]++);
        return counts;
    }

    @Test
    void eightyTwentyIsExactInEveryTen() {
        assertThat(counts(new int[] {80, 20}, 10)).containsExactly(8, 2);
        assertThat(counts(new int[] {80, 20}, 1000)).containsExactly(800, 200);
        assertThat(WeightedPicker.schedule(new int[] {80, 20})).containsExactly(0, 0, 1, 0, 0);
    }

    @Test
    void spreadsPicksRatherThanBatchingThem() {
        int[] cycle = WeightedPicker.schedule(new int[] {50, 50});
        assertThat(cycle).containsExactly(0, 1);
        assertThat(WeightedPicker.schedule(new int[] {1, 2, 3})).hasSize(6);
        assertThat(counts(new int[] {1, 2, 3}, 6)).containsExactly(1, 2, 3);
    }

    @Test
    void zeroWeightIsNeverPickedAndASingleDestinationAlways() {
        assertThat(counts(new int[] {0, 7, 0}, 100)).containsExactly(0, 100, 0);
        assertThat(counts(new int[] {1}, 5)).containsExactly(5);
        assertThatThrownBy(() -> WeightedPicker.schedule(new int[] {0, 0})).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hugeWeightsAreScaledKeepingTheirRatio() {
        int[] cycle = WeightedPicker.schedule(new int[] {999_999, 1, 1_000_000});
        assertThat(cycle.length).isLessThanOrEqualTo(WeightedPicker.MAX_CYCLE);
        long ones = Arrays.stream(cycle).filter(i -> i == 1).count();
        assertThat(ones).isEqualTo(1);
    }
}
