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

    /**
     * A property over 2,000 random weight lists (1–8 targets, weights 0–1,000, some 0, some huge): a target of
     * weight 0 is never picked and every other one is; without scaling, each full cycle gives every target exactly
     * its share; and the picker walks whole cycles, so k cycles of picks give k times those counts.
     */
    @Test
    void everyFullCycleGivesEveryTargetExactlyItsShareWhateverTheWeights() {
        java.util.Random random = new java.util.Random(20261202);
        for (int run = 0; run < 2000; run++) {
            int[] weights = new int[1 + random.nextInt(8)];
            for (int i = 0; i < weights.length; i++) {
                int kind = random.nextInt(10);
                weights[i] = kind == 0 ? 0 : kind == 1 ? 1_000_000 + random.nextInt(1000) : random.nextInt(1001);
            }
            if (Arrays.stream(weights).allMatch(w -> w == 0)) {
                weights[0] = 1;
            }
            String seen = Arrays.toString(weights);
            int[] cycle = WeightedPicker.schedule(weights);
            assertThat(cycle.length).as(seen).isLessThanOrEqualTo(WeightedPicker.MAX_CYCLE);
            long[] counts = new long[weights.length];
            for (int c : cycle) {
                counts[c]++;
            }
            long total = Arrays.stream(weights).asLongStream().sum();
            for (int i = 0; i < weights.length; i++) {
                assertThat(counts[i] > 0).as("%s target %d picked", seen, i).isEqualTo(weights[i] > 0);
                if (total <= WeightedPicker.MAX_CYCLE) {
                    assertThat(counts[i] * total).as("%s target %d's share", seen, i)
                            .isEqualTo(weights[i] * (long) cycle.length);
                }
            }
            WeightedPicker picker = new WeightedPicker(weights);
            long[] picked = new long[weights.length];
            for (int n = 0; n < 3 * cycle.length; n++) {
                picked[picker.pick()]++;
            }
            for (int i = 0; i < weights.length; i++) {
                assertThat(picked[i]).as("%s target %d over three cycles", seen, i).isEqualTo(3 * counts[i]);
            }
        }
    }
}
