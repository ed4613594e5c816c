package io.kshift.proxy.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.kshift.model.istio.LoadBalancerSettings;
import io.kshift.model.istio.LoadBalancerSettings.SimpleLb;
import io.kshift.model.registry.HostPort;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Envoy's slow start as Istio's warmup asks for it: the weight curve, the weighted picks, and where it applies. */
class SlowStartTest {
    static final long SECOND = 1_000_000_000L;

    @Test
    void aNewEndpointsWeightGrowsOverTheWindowFromTheMinimum() {
        SlowStart linear = new SlowStart(100 * SECOND, 0.1, 1.0);
        assertThat(linear.weight(0)).as("a second at least, then the minimum").isEqualTo(0.1);
        assertThat(linear.weight(50 * SECOND)).isCloseTo(0.5, within(1e-9));
        assertThat(linear.weight(100 * SECOND)).isEqualTo(1.0);
        assertThat(linear.weight(500 * SECOND)).isEqualTo(1.0);
        SlowStart eager = new SlowStart(100 * SECOND, 0.0, 2.0);
        assertThat(eager.weight(25 * SECOND)).as("aggression 2: the square root").isCloseTo(0.5, within(1e-9));
        assertThat(eager.weight(0)).isCloseTo(0.1, within(1e-9));
    }

    @Test
    void weightedPicksTakeEachIndexInProportionOverAnyRun() {
        double[] weights = WeightedSums.cumulative(new double[] {1.0, 0.25, 0.75});
        int[] counts = new int[3];
        for (int p = 0; p < 2000; p++) {
            counts[WeightedSums.pick(p, weights)]++;
        }
        assertThat(counts[0]).isBetween(997, 1003);
        assertThat(counts[1]).isBetween(247, 253);
        assertThat(counts[2]).isBetween(747, 753);
        assertThat(WeightedSums.pick(17, weights)).as("a pure function of the position").isEqualTo(WeightedSums.pick(17,
                weights));
    }

    @Test
    void anEndpointThatJoinsLaterGetsItsGrowingShareThenAnEqualOne() {
        AtomicLong now = new AtomicLong(1000 * SECOND);
        List<Upstream> ups = List.of(new Upstream(new HostPort("old", 1), 0), new Upstream(new HostPort("new", 1),
                now.get()));
        EndpointPicker picker = new EndpointPicker(ups, SimpleLb.ROUND_ROBIN, new SplittableRandom(1), null, 0,
                new SlowStart(100 * SECOND, 0.1, 1.0), now::get);
        assertThat(share(picker, 1, 1100)).as("at the start: 0.1 / 1.1").isBetween(97, 103);
        now.addAndGet(50 * SECOND);
        assertThat(share(picker, 1, 1500)).as("halfway: 0.5 / 1.5").isBetween(497, 503);
        now.addAndGet(50 * SECOND);
        assertThat(List.of(picker.first(), picker.first(), picker.first(), picker.first()))
                .as("the window over: round-robin as without it").containsExactly(0, 1, 0, 1);
    }

    @Test
    void leastRequestComparesRequestsPerWeight() {
        AtomicLong now = new AtomicLong(1000 * SECOND);
        List<Upstream> ups = List.of(new Upstream(new HostPort("old", 1), 0), new Upstream(new HostPort("new", 1),
                now.get()));
        EndpointPicker picker = new EndpointPicker(ups, SimpleLb.LEAST_REQUEST, new SplittableRandom(3), null, 0,
                new SlowStart(100 * SECOND, 0.1, 1.0), now::get);
        for (int i = 0; i < 5; i++) {
            ups.get(0).opened();
        }
        assertThat(picker.first()).as("6 per weight 1 against 1 per 0.1: the old one, though busier").isEqualTo(0);
        for (int i = 0; i < 5; i++) {
            ups.get(0).opened();
        }
        assertThat(picker.first()).as("11 against 10").isEqualTo(1);
    }

    @Test
    void endpointsThatJoinedTogetherAndRandomPicksAreAsWithoutIt() {
        AtomicLong now = new AtomicLong(1000 * SECOND);
        List<Upstream> together = List.of(new Upstream(new HostPort("a", 1), now.get()),
                new Upstream(new HostPort("b", 1), now.get()));
        EndpointPicker picker = new EndpointPicker(together, SimpleLb.ROUND_ROBIN, new SplittableRandom(1), null, 0,
                new SlowStart(100 * SECOND, 0.1, 1.0), now::get);
        assertThat(List.of(picker.first(), picker.first(), picker.first(), picker.first())).containsExactly(0, 1, 0, 1);
        List<Upstream> apart = List.of(new Upstream(new HostPort("old", 1), 0),
                new Upstream(new HostPort("new", 1), now.get()));
        EndpointPicker random = new EndpointPicker(apart, SimpleLb.RANDOM, new SplittableRandom(42), null, 0,
                new SlowStart(100 * SECOND, 0.1, 1.0), now::get);
        assertThat(share(random, 1, 10_000)).as("RANDOM takes no slow start, as Envoy's").isBetween(4_800, 5_200);
    }

    @Test
    void theDeprecatedDurationTakesTheDefaults() {
        var lb = new LoadBalancerSettings(SimpleLb.ROUND_ROBIN, null, "60s", null);
        assertThat(SlowStart.of(lb)).contains(new SlowStart(60 * SECOND, 0.1, 1.0));
        var both = new LoadBalancerSettings(SimpleLb.ROUND_ROBIN, null, "60s", new LoadBalancerSettings.Warmup("30s",
                5.0, 2.0));
        assertThat(SlowStart.of(both)).as("warmup wins").contains(new SlowStart(30 * SECOND, 0.05, 2.0));
        assertThat(SlowStart.of(new LoadBalancerSettings(SimpleLb.ROUND_ROBIN))).isEmpty();
    }

    static int share(EndpointPicker picker, int index, int picks) {
        int n = 0;
        for (int i = 0; i < picks; i++) {
            n += picker.first() == index ? 1 : 0;
        }
        return n;
    }
}
