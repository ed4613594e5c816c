package io.kshift.model.istio;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Envoy's retry budget as Istio's retryBudget sets it: a share of requests in flight, never below the minimum. */
class RetryBudgetTest {
    @Test
    void theLimitIsTheShareOfRequestsInFlightOrTheMinimum() {
        var defaults = new TrafficPolicy.RetryBudget(null, null);
        assertThat(defaults.limit(0)).as("3 at least").isEqualTo(3);
        assertThat(defaults.limit(20)).isEqualTo(4);
        assertThat(defaults.limit(100)).as("20 %").isEqualTo(20);
        var half = new TrafficPolicy.RetryBudget(50.0, 0);
        assertThat(half.limit(1)).as("rounded down").isEqualTo(0);
        assertThat(half.limit(7)).isEqualTo(3);
        assertThat(new TrafficPolicy.RetryBudget(0.0, 2).limit(1000)).isEqualTo(2);
    }

    @Test
    void aPortsSettingsKeepTheBudgetAndASubsetsOwnReplacesIt() {
        var budget = new TrafficPolicy.RetryBudget(25.0, 1);
        var port = new PortTrafficPolicy(new PortSelector(80), null, null, null, null);
        var policy = new TrafficPolicy(null, null, null, null, List.of(port), budget, null, null);
        assertThat(policy.forPort(80).retryBudget()).isEqualTo(budget);
        assertThat(policy.forPort(81).retryBudget()).isEqualTo(budget);
        var own = new TrafficPolicy.RetryBudget(10.0, 0);
        assertThat(policy.overriddenBy(new TrafficPolicy(null, null, null, null, null, own, null, null)).retryBudget())
                .isEqualTo(own);
        assertThat(policy.overriddenBy(new TrafficPolicy(null, null)).retryBudget()).isEqualTo(budget);
    }
}
