package io.kshift.proxy.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.istio.LoadBalancerSettings.SimpleLb;
import io.kshift.model.registry.HostPort;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Endpoint load balancers over injected randomness: RANDOM within a stated tolerance, LEAST_REQUEST, ROUND_ROBIN. */
class EndpointPickerTest {
    final List<Upstream> upstreams = List.of(new Upstream(new HostPort("a", 1)), new Upstream(new HostPort("b", 1)));

    @Test
    void randomSplitsEvenlyWithinFourStandardDeviations() {
        // 10,000 picks of a fair coin: standard deviation 50 picks (0.5 points); we allow ±2 points (4 sigma).
        EndpointPicker picker = new EndpointPicker(upstreams, SimpleLb.RANDOM, new SplittableRandom(42));
        int a = 0;
        for (int i = 0; i < 10_000; i++) {
            a += picker.first() == 0 ? 1 : 0;
        }
        assertThat(a).isBetween(4_800, 5_200);
    }

    @Test
    void leastRequestPrefersTheLessLoadedEndpoint() {
        EndpointPicker picker = new EndpointPicker(upstreams, SimpleLb.LEAST_REQUEST, new SplittableRandom(7));
        for (int i = 0; i < 5; i++) {
            upstreams.get(0).opened();
        }
        for (int i = 0; i < 50; i++) {
            assertThat(picker.first()).as("two choices out of two: always the idle one").isEqualTo(1);
        }
    }

    /** WorkloadEntry weights: round-robin and random in proportion, least-request by requests per weight. */
    @Test
    void endpointWeightsSharePicksInProportion() {
        List<Upstream> three = List.of(new Upstream(new HostPort("a", 1)), new Upstream(new HostPort("b", 1)),
                new Upstream(new HostPort("c", 1)));
        EndpointPicker rr = new EndpointPicker(three, SimpleLb.ROUND_ROBIN, new SplittableRandom(1), null, 0, null,
                System::nanoTime, null, List.of(6, 3, 1));
        int[] counts = new int[3];
        for (int i = 0; i < 1000; i++) {
            counts[rr.first()]++;
        }
        assertThat(counts).as("exact to a pick or two over any run").satisfies(c -> {
            assertThat(c[0]).isBetween(598, 602);
            assertThat(c[1]).isBetween(298, 302);
            assertThat(c[2]).isBetween(98, 102);
        });
        EndpointPicker random = new EndpointPicker(three, SimpleLb.RANDOM, new SplittableRandom(3), null, 0, null,
                System::nanoTime, null, List.of(6, 3, 1));
        int[] drawn = new int[3];
        for (int i = 0; i < 10_000; i++) {
            drawn[random.first()]++;
        }
        assertThat(drawn[0]).isBetween(5_800, 6_200);
        assertThat(drawn[2]).isBetween(880, 1_120);
        List<Upstream> two = List.of(new Upstream(new HostPort("x", 1)), new Upstream(new HostPort("y", 1)));
        EndpointPicker least = new EndpointPicker(two, SimpleLb.LEAST_REQUEST, new SplittableRandom(7), null, 0, null,
                System::nanoTime, null, List.of(9, 1));
        int light = 0;
        for (int i = 0; i < 10_000; i++) {
            light += least.first() == 1 ? 1 : 0;
        }
        assertThat(light).as("idle: the weights' shares, 90/10").isBetween(850, 1_150);
        for (int i = 0; i < 3; i++) {
            two.get(0).opened();
        }
        int steered = 0;
        for (int i = 0; i < 10_000; i++) {
            steered += least.first() == 1 ? 1 : 0;
        }
        assertThat(steered).as("busy: whenever the light one is a candidate it is taken (19 %%)")
                .isBetween(1_700, 2_100);
    }

    @Test
    void roundRobinAlternates() {
        EndpointPicker picker = new EndpointPicker(upstreams, SimpleLb.ROUND_ROBIN, new SplittableRandom(1));
        assertThat(List.of(picker.first(), picker.first(), picker.first(), picker.first())).containsExactly(0, 1, 0, 1);
    }

    @Test
    void triesGoOnFromTheLastOneTriedSkippingEjectedOnesAndRepeatNoneBeforeAll() {
        List<Upstream> four = List.of(new Upstream(new HostPort("a", 1)), new Upstream(new HostPort("b", 1)),
                new Upstream(new HostPort("c", 1)), new Upstream(new HostPort("d", 1)));
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
        OutlierDetector outliers = new OutlierDetector(four, new io.kshift.model.istio.OutlierDetection(1, null, "1s",
                "10m", 100, null), now::get);
        outliers.failure(four.get(1), true, true); // b ejected
        EndpointPicker picker = new EndpointPicker(four, SimpleLb.ROUND_ROBIN, new SplittableRandom(1), outliers);
        java.util.List<String> tried = new java.util.ArrayList<>();
        int at = picker.nextHealthy(0);
        for (int attempt = 0; attempt < 4; attempt++) {
            tried.add(picker.get(at).address().host());
            at = picker.nextHealthy(at + 1);
        }
        assertThat(tried).as("a, then c and d (b ejected), and a again only once all were tried")
                .containsExactly("a", "c", "d", "a");
    }
    /**
     * An ejected endpoint's share is spread over those in service by the policy, not handed to the endpoint after it
     * (as Envoy picks among healthy hosts only): a, c and d take a third each, under every simple policy.
     */
    @Test
    void anEjectedEndpointsShareIsSpreadOverTheOthersNotHandedToItsNeighbour() {
        for (SimpleLb lb : new SimpleLb[] {SimpleLb.ROUND_ROBIN, SimpleLb.RANDOM, SimpleLb.LEAST_REQUEST}) {
            List<Upstream> four = List.of(new Upstream(new HostPort("a", 1)), new Upstream(new HostPort("b", 1)),
                    new Upstream(new HostPort("c", 1)), new Upstream(new HostPort("d", 1)));
            OutlierDetector outliers = new OutlierDetector(four, new io.kshift.model.istio.OutlierDetection(1, null,
                    "1s", "10m", 100, null), () -> 0L);
            outliers.failure(four.get(1), true, true); // b ejected
            for (Upstream u : List.of(four.get(0), four.get(2), four.get(3))) {
                u.opened(); // one request in flight on each in service: the ejected one has none
            }
            EndpointPicker picker = new EndpointPicker(four, lb, new SplittableRandom(3), outliers);
            int[] picks = new int[4];
            for (int i = 0; i < 3_000; i++) {
                picks[picker.first()]++;
            }
            assertThat(picks[1]).as(lb + ": the ejected one").isZero();
            for (int i : new int[] {0, 2, 3}) {
                // A third is 1,000; binomial sigma ~26 for the random policies, so ±120 is over 4 sigma.
                assertThat(picks[i]).as(lb + ": endpoint " + i + " of " + java.util.Arrays.toString(picks))
                        .isBetween(880, 1_120);
            }
        }
    }

    /** With endpoint weights, a pick that lands on an ejected endpoint is drawn again by the weights. */
    @Test
    void weightedPicksSkipAnEjectedEndpointInProportionToTheOthersWeights() {
        List<Upstream> three = List.of(new Upstream(new HostPort("a", 1)), new Upstream(new HostPort("b", 1)),
                new Upstream(new HostPort("c", 1)));
        OutlierDetector outliers = new OutlierDetector(three, new io.kshift.model.istio.OutlierDetection(1, null,
                "1s", "10m", 100, null), () -> 0L);
        outliers.failure(three.get(0), true, true); // a ejected
        EndpointPicker picker = new EndpointPicker(three, SimpleLb.ROUND_ROBIN, new SplittableRandom(3), outliers, 0,
                null, () -> 0L, null, List.of(2, 1, 3));
        int[] picks = new int[3];
        for (int i = 0; i < 4_000; i++) {
            picks[picker.first()]++;
        }
        // A deterministic sequence: within a pick or two of 1:3 (a skipped pick shifts its phase).
        assertThat(picks[0]).isZero();
        assertThat(picks[1]).isBetween(995, 1_005);
    }
}
