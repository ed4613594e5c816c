package io.kshift.proxy.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.registry.ResolvedDestination;
import io.kshift.proxy.routing.RouteTable;
import io.kshift.proxy.routing.RouteTableBuilder;
import io.kshift.proxy.telemetry.Telemetry;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class WarmUpMeshTest {
    private static final int[] ECHO = {41001, 41002};
    private static final int[] WEB = {42001, 42002};
    /** The build path without a node: every namespace and gateway, no keys. */
    private static final WarmUpMesh.TableBuild ANY_NODE = RouteTableBuilder::build;

    @Test
    void aRoundOfSyntheticBuildsIsAWholeSnapshotTwentyDeltasAndAWholeSnapshotAgain() throws Exception {
        assertThat(WarmUpMesh.builds(1, ANY_NODE, Telemetry.detached())).isEqualTo(22);
        assertThat(WarmUpMesh.builds(0, ANY_NODE, Telemetry.detached())).isZero();
    }

    @Test
    void theBuildsServeTheSyntheticMeshToANodeWithIstiosIngressGatewayScope() throws Exception {
        // The node's own builder, as the warm-up is given it: a scope that hid the mesh would warm nothing.
        var scope = new io.kshift.model.routing.NodeScope("istio-system", java.util.Map.of("istio", "ingressgateway"));
        java.util.List<RouteTable> tables = new java.util.ArrayList<>();
        WarmUpMesh.TableBuild build = (generation, config, changed, destinations, previous) -> {
            RouteTable t = io.kshift.proxy.routing.RouteTableBuilder.build(generation, config, changed, destinations,
                    previous, io.kshift.model.secret.FleetKeys.none(), scope);
            tables.add(t);
            return t;
        };

        assertThat(WarmUpMesh.builds(1, build, Telemetry.detached())).isEqualTo(22);
        assertThat(tables.get(0).build().hostsCompiled()).isEqualTo(180);
        assertThat(tables.get(1).build().hostsCompiled()).as("a one-weight delta").isEqualTo(1);
        RouteTable last = tables.get(21);
        assertThat(last.generation()).isEqualTo(22);
        assertThat(last.build().hostsCompiled() + last.build().hostsReused()).isEqualTo(180);
    }

    @Test
    void everyOtherRoundServesASecondPortOfEachProtocol() throws Exception {
        RouteTable even = WarmUpMesh.table(ECHO, WEB, 0, Telemetry.detached());
        RouteTable odd = WarmUpMesh.table(ECHO, WEB, 1, Telemetry.detached());

        assertThat(even.http().keySet()).containsExactly(WarmUp.HTTP_PORT);
        assertThat(odd.http().keySet()).containsExactlyInAnyOrder(WarmUp.HTTP_PORT, WarmUp.HTTP_PORT + 10);
        assertThat(even.ports()).contains(WarmUp.TCP_PORT).doesNotContain(WarmUp.SINGLE_PORT);
        assertThat(odd.ports()).contains(WarmUp.TCP_PORT, WarmUp.SINGLE_PORT);
        assertThat(even.route(WarmUp.TCP_PORT).orElseThrow().targets()).hasSize(2);
        assertThat(odd.route(WarmUp.TCP_PORT).orElseThrow().targets()).hasSize(2);
        // The second TCP port: all traffic to one destination (the single-destination picker's branch).
        assertThat(odd.route(WarmUp.SINGLE_PORT).orElseThrow().targets()).singleElement()
                .satisfies(t -> assertThat(t.destination().subset()).isEqualTo("v1"));
        assertThat(even.route(WarmUp.SINGLE_PORT)).isEmpty();
    }

    @Test
    void eachRoundGivesTheHttpDestinationPoolSettingsOfItsOwn() throws Exception {
        // Pools are per distinct settings: a new round's first requests open a new pool and new connections.
        assertThat(httpConnectTimeouts(WarmUpMesh.table(ECHO, WEB, 3, Telemetry.detached())))
                .containsExactly(Duration.ofMillis(1003));
        assertThat(httpConnectTimeouts(WarmUpMesh.table(ECHO, WEB, 4, Telemetry.detached())))
                .containsExactly(Duration.ofMillis(1004));
        // ... in a bounded cycle: the node keeps an (empty) entry per distinct settings.
        assertThat(httpConnectTimeouts(WarmUpMesh.table(ECHO, WEB, 3 + WarmUpMesh.POOL_SETTINGS, Telemetry.detached())))
                .containsExactly(Duration.ofMillis(1003));
    }

    private static Set<Duration> httpConnectTimeouts(RouteTable table) {
        return table.destinations().keySet().stream().filter(d -> d.service().startsWith("warm-http"))
                .map(ResolvedDestination::connectTimeout).collect(Collectors.toSet());
    }
}
