package io.kshift.proxy.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.istio.LoadBalancerSettings.SimpleLb;
import io.kshift.model.istio.OutlierDetection;
import io.kshift.model.registry.HostPort;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Ejection by consecutive errors, growing ejection time, the ejection cap, and the picker skipping the ejected. */
class OutlierDetectorTest {
    final AtomicLong now = new AtomicLong();
    final List<Upstream> upstreams = List.of(new Upstream(new HostPort("a", 1)), new Upstream(new HostPort("b", 1)),
            new Upstream(new HostPort("c", 1)), new Upstream(new HostPort("d", 1)));

    OutlierDetector detector(int maxEjectionPercent) {
        return new OutlierDetector(upstreams, new OutlierDetection(3, null, "1s", "30s", maxEjectionPercent, null),
                now::get);
    }

    /** Istio passes maxEjectionPercent to Envoy only when above 0: 0 is Envoy's default, 10 %. */
    @Test
    void aMaxEjectionPercentOfZeroIsTheDefaultTenPercent() {
        List<Upstream> twenty = java.util.stream.IntStream.range(0, 20)
                .mapToObj(i -> new Upstream(new HostPort("h" + i, 1))).toList();
        OutlierDetector d = new OutlierDetector(twenty, new OutlierDetection(1, null, "1s", "30s", 0, null),
                now::get);
        twenty.forEach(u -> d.failure(u, true, false));
        assertThat(twenty.stream().filter(d::ejected).count()).isEqualTo(2);
    }

    @Test
    void ejectsAfterConsecutiveErrorsForGrowingTimes() {
        OutlierDetector d = detector(100);
        Upstream a = upstreams.get(0);
        d.failure(a, true, false);
        d.failure(a, true, false);
        d.success(a);
        d.failure(a, true, false);
        d.failure(a, true, false);
        assertThat(d.ejected(a)).as("a success resets the count").isFalse();
        d.failure(a, true, false);
        assertThat(d.ejected(a)).isTrue();
        now.addAndGet(Duration.ofSeconds(30).toNanos());
        assertThat(d.ejected(a)).as("back after baseEjectionTime").isFalse();
        for (int i = 0; i < 3; i++) {
            d.failure(a, true, false);
        }
        now.addAndGet(Duration.ofSeconds(30).toNanos());
        assertThat(d.ejected(a)).as("the second ejection lasts twice as long").isTrue();
        now.addAndGet(Duration.ofSeconds(30).toNanos());
        assertThat(d.ejected(a)).isFalse();
    }

    /** Errors answered while ejected (requests in flight then) do not count toward the next ejection. */
    @Test
    void errorsWhileEjectedAreForgottenWhenTheEjectionEnds() {
        OutlierDetector d = detector(100);
        Upstream a = upstreams.get(0);
        trip(d, a);
        assertThat(d.ejected(a)).isTrue();
        for (int i = 0; i < 5; i++) {
            d.failure(a, true, false); // answers to requests sent before the ejection
        }
        now.addAndGet(Duration.ofSeconds(30).toNanos());
        assertThat(d.ejected(a)).isFalse();
        d.failure(a, true, false);
        assertThat(d.ejected(a)).as("one error after the ejection: 3 are needed again").isFalse();
        d.failure(a, true, false);
        d.failure(a, true, false);
        assertThat(d.ejected(a)).isTrue();
    }

    @Test
    void localOriginFailuresCountAsGatewayErrorsUnlessSplit() {
        OutlierDetector together = new OutlierDetector(upstreams, new OutlierDetection(3, null, "1s", "30s", 100,
                null), now::get);
        Upstream a = upstreams.get(0);
        for (int i = 0; i < 3; i++) {
            together.localFailure(a);
        }
        assertThat(together.ejected(a)).as("three refused connects: three 5xx").isTrue();

        // Split: connects refused count apart (2 to eject), and 5xx answers only as 5xx (3 to eject).
        OutlierDetector split = new OutlierDetector(upstreams, new OutlierDetection(3, null, "1s", "30s", 100, null,
                2, true), now::get);
        Upstream b = upstreams.get(1);
        split.failure(b, true, true);
        split.failure(b, true, true);
        split.localFailure(b);
        assertThat(split.ejected(b)).as("two 5xx answers and one refused connect: neither count full").isFalse();
        split.failure(b, true, true);
        assertThat(split.ejected(b)).as("the third 5xx").isTrue();
        Upstream c = upstreams.get(2);
        split.localFailure(c);
        split.success(c);
        split.localFailure(c);
        assertThat(split.ejected(c)).as("an answer in between starts the count again").isFalse();
        split.localFailure(c);
        assertThat(split.ejected(c)).isTrue();
        Upstream d = upstreams.get(3);
        OutlierDetector zero = new OutlierDetector(upstreams, new OutlierDetection(3, null, "1s", "30s", 100, null,
                0, true), now::get);
        for (int i = 0; i < 4; i++) {
            zero.localFailure(d);
        }
        assertThat(zero.ejected(d)).as("0, as unset: Envoy's default of 5").isFalse();
        zero.localFailure(d);
        assertThat(zero.ejected(d)).isTrue();

        // An ejection starts the count again: back in service, one more failure does not eject at once.
        now.addAndGet(Duration.ofSeconds(31).toNanos());
        assertThat(split.ejected(c)).isFalse();
        split.localFailure(c);
        assertThat(split.ejected(c)).isFalse();
        split.localFailure(c);
        assertThat(split.ejected(c)).isTrue();
    }

    /** Three errors in a row: an ejection (interval 1 s, base 30 s). */
    void trip(OutlierDetector d, Upstream u) {
        for (int i = 0; i < 3; i++) {
            d.failure(u, true, false);
        }
    }

    long ejectedSeconds(OutlierDetector d, Upstream u) {
        long start = now.get();
        trip(d, u);
        long seconds = 0;
        while (d.ejected(u)) {
            now.addAndGet(Duration.ofSeconds(1).toNanos());
            seconds++;
        }
        now.set(start + Duration.ofSeconds(seconds).toNanos());
        return seconds;
    }

    @Test
    void theMultiplierFallsByOnePerIntervalBackInService() {
        OutlierDetector d = detector(100);
        Upstream a = upstreams.get(0);
        assertThat(ejectedSeconds(d, a)).isEqualTo(30);
        assertThat(ejectedSeconds(d, a)).as("ejected again at once: twice the base").isEqualTo(60);
        assertThat(ejectedSeconds(d, a)).isEqualTo(90);
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        assertThat(ejectedSeconds(d, a)).as("two intervals in service: 3 - 2 + 1").isEqualTo(60);
        now.addAndGet(Duration.ofHours(1).toNanos());
        assertThat(ejectedSeconds(d, a)).as("an hour in service: back to the base").isEqualTo(30);
    }

    @Test
    void theMultiplierStopsGrowingPastTheMaximumEjectionTime() {
        OutlierDetector d = detector(100);
        Upstream a = upstreams.get(0);
        for (int i = 0; i < 30; i++) {
            assertThat(ejectedSeconds(d, a)).isLessThanOrEqualTo(300);
        }
        // Envoy's bound: base x multiplier < max + base, so 11 here (not 30): eleven intervals in service bring it
        // to 0, and the next ejection is one base again.
        now.addAndGet(Duration.ofSeconds(11).toNanos());
        assertThat(ejectedSeconds(d, a)).isEqualTo(30);
    }

    @Test
    void aBaseEjectionTimeOverFiveMinutesIsTheLongestEjection() {
        OutlierDetector d = new OutlierDetector(upstreams, new OutlierDetection(3, null, "1s", "10m", 100, null),
                now::get);
        Upstream a = upstreams.get(0);
        assertThat(ejectedSeconds(d, a)).isEqualTo(600);
        assertThat(ejectedSeconds(d, a)).as("Envoy: max(300 s, base)").isEqualTo(600);
    }

    @Test
    void belowMinHealthPercentEjectedEndpointsAreChosenAgain() {
        OutlierDetector d = new OutlierDetector(upstreams, new OutlierDetection(3, null, "1s", "30s", 100, 75),
                now::get);
        EndpointPicker picker = new EndpointPicker(upstreams, SimpleLb.ROUND_ROBIN, new Random(1), d);
        trip(d, upstreams.get(1));
        assertThat(picker.healthy(upstreams.get(1))).as("3 of 4 in service: 75 %, not below").isFalse();
        assertThat(java.util.stream.IntStream.range(0, 40).mapToObj(i -> picker.get(picker.first())))
                .doesNotContain(upstreams.get(1));
        trip(d, upstreams.get(2));
        assertThat(d.ejected(upstreams.get(2))).isTrue();
        assertThat(picker.healthy(upstreams.get(1))).as("2 of 4: below 75 %, every endpoint is chosen").isTrue();
        assertThat(java.util.stream.IntStream.range(0, 40).mapToObj(i -> picker.get(picker.first())))
                .contains(upstreams.get(1), upstreams.get(2));
        OutlierDetector none = detector(100);
        trip(none, upstreams.get(3));
        assertThat(none.available(upstreams.get(3))).as("minHealthPercent 0 (Istio's default): off").isFalse();
    }

    @Test
    void neverEjectsMoreThanTheCapButAlwaysOne() {
        OutlierDetector d = detector(10);
        for (Upstream u : upstreams) {
            for (int i = 0; i < 3; i++) {
                d.failure(u, true, false);
            }
        }
        assertThat(upstreams.stream().filter(d::ejected)).as("10% of 4 is under one host; Envoy ejects one").hasSize(1);
        // The first is back: another endpoint whose ejection the cap refused starts its count over, as Envoy's.
        now.addAndGet(Duration.ofSeconds(31).toNanos());
        Upstream refused = upstreams.stream().filter(u -> u != upstreams.get(0)).findFirst().orElseThrow();
        d.failure(refused, true, false);
        assertThat(d.ejected(refused)).as("one error after a refused ejection is not three").isFalse();
        d.failure(refused, true, false);
        d.failure(refused, true, false);
        assertThat(d.ejected(refused)).isTrue();
    }

    @Test
    void thePickerSkipsEjectedEndpoints() {
        OutlierDetector d = detector(50);
        EndpointPicker picker = new EndpointPicker(upstreams, SimpleLb.ROUND_ROBIN, new Random(1), d);
        for (int i = 0; i < 3; i++) {
            d.failure(upstreams.get(1), true, false);
        }
        for (int i = 0; i < 40; i++) {
            assertThat(picker.get(picker.first())).isNotSameAs(upstreams.get(1));
        }
    }

    @Test
    void consistentHashKeepsAKeyOnOneEndpoint() {
        EndpointPicker picker = new EndpointPicker(upstreams, SimpleLb.ROUND_ROBIN, new Random(1));
        int first = picker.firstFor("user-42");
        for (int i = 0; i < 20; i++) {
            assertThat(picker.firstFor("user-42")).isEqualTo(first);
        }
        long distinct = java.util.stream.IntStream.range(0, 200).map(i -> picker.firstFor("user-" + i)).distinct().count();
        assertThat(distinct).as("keys spread over every endpoint").isEqualTo(4);
    }
}
