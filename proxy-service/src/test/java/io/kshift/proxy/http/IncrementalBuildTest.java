package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.ScaleFixtures;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.Resource;
import io.kshift.model.routing.NodeScope;
import io.kshift.proxy.routing.RouteTable;
import io.kshift.proxy.routing.Upstream;
import io.kshift.proxy.routing.WeightedPicker;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Route tables built one after the other as a node builds them (snapshots encoded and decoded against the
 * previous one): what a push changes is rebuilt, the rest is kept, and the state traffic depends on (picker
 * positions, ejections, circuit-breaker counts) survives pushes.
 */
class IncrementalBuildTest {
    private final NodeBuilds builds = new NodeBuilds();
    private MeshConfig config = MeshConfig.of(ScaleFixtures.services(200));
    private RouteTable table = RouteTable.empty();
    private NodeScope scope = NodeScope.EVERYWHERE;

    private RouteTable push(List<Resource> changes) {
        return push(config.apply(changes).config());
    }

    private RouteTable push(MeshConfig next) {
        config = next;
        table = builds.next(table, config, scope);
        return table;
    }

    private static List<HttpRouteEntry> routes(RouteTable t, int service) {
        return t.mesh().routes("svc-" + service + ".scale:8000");
    }

    @Test
    void aOneServiceChangeCompilesThatServiceAndReusesEveryOtherOne() {
        RouteTable first = push(List.of());
        assertThat(first.build().hostsCompiled()).isEqualTo(200);
        RouteTable second = push(ScaleFixtures.parse(ScaleFixtures.virtualService(7, 50)));
        assertThat(second.build().hostsCompiled()).isEqualTo(1);
        assertThat(second.build().hostsReused()).isEqualTo(199);
        assertThat(routes(second, 7)).isNotSameAs(routes(first, 7));
        assertThat(routes(second, 7).get(0).targets()).extracting(HttpTarget::weight).containsExactly(50, 50);
        for (int i : new int[] {0, 6, 8, 199}) {
            assertThat(routes(second, i)).as("svc-" + i).isSameAs(routes(first, i));
        }
    }

    /**
     * Default routes (a service no VirtualService claims) are one map of names, taken as it is while no service's
     * default route changes; a virtual host of the same name comes first.
     */
    @Test
    void defaultRoutesAreKeptAsOneMapWhileNoServiceChanges() {
        push(List.of());
        RouteTable first = push(config.delete(ScaleFixtures.parse(ScaleFixtures.virtualService(3, 50))).config());
        assertThat(routes(first, 3)).hasSize(1);
        assertThat(routes(first, 3).get(0).source()).as("Istio's default route").isNull();
        assertThat(first.mesh().routes("svc-3")).isSameAs(routes(first, 3));

        RouteTable second = push(ScaleFixtures.parse(ScaleFixtures.virtualService(7, 50)));
        assertThat(second.mesh().defaults()).isSameAs(first.mesh().defaults());
        assertThat(routes(second, 3)).isSameAs(routes(first, 3));

        RouteTable third = push(ScaleFixtures.parse(ScaleFixtures.virtualService(3, 50)));
        assertThat(third.mesh().defaults()).isSameAs(first.mesh().defaults());
        assertThat(routes(third, 3).get(0).source()).as("the VirtualService again, before the default route")
                .isNotNull();

        RouteTable fourth = push(ScaleFixtures.service(9, 90, "10.0.0.9"));
        assertThat(fourth.mesh().defaults()).as("svc-9's endpoints moved").isNotSameAs(third.mesh().defaults());
        assertThat(fourth.mesh().defaults().get("svc-9.scale:8000").get(0).targets().get(0).destination().endpoints())
                .extracting(Object::toString).contains("10.0.0.9:20009");
        assertThat(fourth.mesh().defaults().get("svc-3.scale:8000")).isSameAs(third.mesh().defaults()
                .get("svc-3.scale:8000"));
    }

    /**
     * A Sidecar that changes which services a node's mesh port imports changes no service, yet the default routes
     * must follow it: the map is rebuilt, not taken from the last build.
     */
    @Test
    void defaultRoutesFollowASidecarsImportsWhenNoServiceChanges() {
        scope = new NodeScope("scale", java.util.Map.of());
        push(config.delete(ScaleFixtures.parse(ScaleFixtures.virtualService(3, 50))).config());
        RouteTable all = push(sidecar("./*"));
        assertThat(all.mesh().defaults().get("svc-3.scale:8000")).as("imported: its default route").hasSize(1);

        RouteTable none = push(sidecar("istio-system/*"));
        assertThat(none.mesh().defaults() != all.mesh().defaults())
                .withFailMessage("the default routes of the build before were kept").isTrue();
        assertThat(none.mesh().defaults().containsKey("svc-3.scale:8000")).as("nothing of namespace scale imported")
                .isFalse();
        assertThat(none.mesh().routes("svc-3.scale:8000")).isNullOrEmpty();

        RouteTable again = push(sidecar("./*"));
        assertThat(again.mesh().defaults().get("svc-3.scale:8000")).as("imported again").hasSize(1);
        assertThat(again.mesh().routes("svc-3")).isSameAs(again.mesh().defaults().get("svc-3.scale:8000"));
    }

    private static List<Resource> sidecar(String hosts) {
        return ScaleFixtures.parse("""
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: default, namespace: scale}
                spec:
                  egress: [{hosts: ["%s"]}]
                """.formatted(hosts));
    }

    @Test
    void aMovedWorkloadRebuildsOnlyItsServiceAndKeepsItsCounters() {
        RouteTable first = push(List.of());
        HttpTarget before = routes(first, 9).get(0).targets().get(0);
        before.activeRequests().incrementAndGet(); // a request in flight on the old table
        RouteTable second = push(ScaleFixtures.service(9, 90, "10.0.0.9"));
        assertThat(second.build().hostsCompiled()).isEqualTo(1);
        HttpTarget after = routes(second, 9).get(0).targets().get(0);
        assertThat(after.destination().endpoints()).extracting(Object::toString).containsExactly("10.0.0.9:20009");
        assertThat(after.activeRequests()).as("circuit-breaker count held by the request in flight")
                .isSameAs(before.activeRequests()).hasValue(1);
        assertThat(routes(second, 10)).isSameAs(routes(first, 10));
    }

    @Test
    void a95To5SplitKeepsItsExactSequenceAcross50Pushes() {
        push(ScaleFixtures.parse(ScaleFixtures.virtualService(0, 95)));
        List<Integer> picks = new ArrayList<>();
        for (int push = 1; push <= 50; push++) {
            // 7 picks a push: not a multiple of the 20-pick cycle, so a picker restarted by a push would show.
            for (int i = 0; i < 7; i++) {
                picks.add(routes(table, 0).get(0).picker().pick());
            }
            // Other services' routes, and every tenth push svc-0's own endpoints, change under it.
            push(push % 10 == 0 ? ScaleFixtures.service(0, 95, "10.0.0." + push)
                    : ScaleFixtures.parse(ScaleFixtures.virtualService(1 + push, 60 + push % 30)));
        }
        int[] cycle = WeightedPicker.schedule(new int[] {95, 5});
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < picks.size(); i++) {
            expected.add(cycle[i % cycle.length]);
        }
        assertThat(picks).as("one uninterrupted smooth round-robin sequence").isEqualTo(expected);
        assertThat(picks.stream().filter(p -> p == 1).count()).isEqualTo(17); // 350 picks: 17.5 expected
    }

    @Test
    void ejectionsSurviveAPushThatChangesTheDestinationsEndpoints() {
        push(ScaleFixtures.parse("""
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: svc-1, namespace: scale}
                spec:
                  host: svc-1
                  trafficPolicy: {outlierDetection: {consecutive5xxErrors: 1, baseEjectionTime: 60s, maxEjectionPercent: 100}}
                  subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
                """));
        HttpTarget v1 = routes(table, 1).get(0).targets().get(0);
        Upstream ejected = v1.endpoints().get(0);
        v1.endpoints().outliers().failure(ejected, true, false);
        assertThat(v1.endpoints().healthy(ejected)).isFalse();

        push(ScaleFixtures.parse("""
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: svc-1-v1b, namespace: scale}
                spec: {address: 127.0.0.2, labels: {app: svc-1, version: v1}, ports: {http: 20001}}
                """));
        HttpTarget after = routes(table, 1).get(0).targets().get(0);
        assertThat(after.endpoints().size()).isEqualTo(2);
        assertThat(after.endpoints().upstreams()).contains(ejected);
        assertThat(after.endpoints().healthy(ejected)).as("still ejected after the push").isFalse();
    }
}
