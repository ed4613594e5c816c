package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A route's and its destination's header edits in the order Envoy applies what Istio gives it. */
class HeaderEditsTest {
    static final HeaderEdits ROUTE = new HeaderEdits(List.of(), Map.of("x-version", "stable"), Map.of("x-a", "r"));
    static final HeaderEdits DESTINATION = new HeaderEdits(List.of("x-a"), Map.of("x-version", "canary"), Map.of());

    private static MultiMap apply(boolean weighted) {
        MultiMap h = MultiMap.caseInsensitiveMultiMap().add("x-a", "client");
        HeaderEdits.applyTo(h, ROUTE, DESTINATION, weighted);
        return h;
    }

    @Test
    void oneDestinationIsOneListRemovesFirstThenTheRoutesThenTheDestinations() {
        MultiMap h = apply(false);
        assertThat(h.get("x-version")).as("the destination's set comes last").isEqualTo("canary");
        assertThat(h.getAll("x-a")).as("its remove ran before the route's add").containsExactly("r");
    }

    @Test
    void severalDestinationsHaveTheirsAppliedBeforeTheRoutes() {
        MultiMap h = apply(true);
        assertThat(h.get("x-version")).as("the route's set wins").isEqualTo("stable");
        assertThat(h.getAll("x-a")).containsExactly("r");
    }

    /** Host is never removed (as Istio drops it from remove lists): the upstream request must carry one. */
    @Test
    void hostIsNeverRemoved() {
        HeaderEdits edits = HeaderEdits.of(new io.kshift.model.istio.HeaderOperations(Map.of(), Map.of(),
                List.of("Host", "x-a")));
        MultiMap h = MultiMap.caseInsensitiveMultiMap().add("host", "web").add("x-a", "1");
        edits.applyTo(h);
        assertThat(h.get("host")).isEqualTo("web");
        assertThat(h.contains("x-a")).isFalse();
    }
}
