package io.kshift.proxy.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.istio.LoadBalancerSettings.LocalityLbSetting;
import io.kshift.model.istio.LoadBalancerSettings.LocalityLbSetting.Distribute;
import io.kshift.model.istio.LoadBalancerSettings.LocalityLbSetting.Failover;
import io.kshift.model.istio.LoadBalancerSettings.SimpleLb;
import io.kshift.model.istio.OutlierDetection;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.mesh.SyntheticMesh;
import io.kshift.model.registry.HostPort;
import io.kshift.model.routing.NodeScope;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Istio's locality load balancing: levels by nearness to the node (Istio's priorities), failover regions, distribute
 * shares, Envoy's priority loads with its overprovisioning factor, and where picks land as endpoints are ejected.
 */
class LocalityLbTest {
    static final List<String> WHERE = List.of("us-east/a/1", "us-east/a/2", "us-east/b/1", "eu-west/c/1",
            "ap-south/d/1");

    @Test
    void levelsFollowNearnessAndTheFailoverRegion() {
        LocalityLb lb = LocalityLb.of("us-east/a/1", WHERE, null, true);
        assertThat(lb.level()).containsExactly(0, 1, 2, 3, 3);
        LocalityLb failover = LocalityLb.of("us-east/a/1", WHERE, new LocalityLbSetting(null,
                List.of(new Failover("us-east", "ap-south")), null), true);
        assertThat(failover.level()).as("ap-south first among other regions").containsExactly(0, 1, 2, 4, 3);
        assertThat(LocalityLb.of("us-east/b/9", WHERE, null, true).level()).as("renumbered: no level left empty")
                .containsExactly(1, 1, 0, 2, 2);
    }

    @Test
    void nothingChangesWithoutANodeLocalityOutlierDetectionOrWhenTurnedOff() {
        assertThat(LocalityLb.of(null, WHERE, null, true)).isNull();
        assertThat(LocalityLb.of("us-east/a/1", WHERE, null, false)).as("failover needs outlier detection").isNull();
        assertThat(LocalityLb.of("us-east/a/1", WHERE, new LocalityLbSetting(null, null, false), true)).isNull();
        assertThat(LocalityLb.of("us-east/a/1", List.of("", ""), null, true)).as("one level").isNull();
    }

    @Test
    void distributeSplitsAPatternsShareOverItsLocalitiesAndTheirEndpoints() {
        var setting = new LocalityLbSetting(List.of(new Distribute("us-east/a/*", Map.of("us-east/a/*", 80,
                "eu-west/*", 20))), null, null);
        LocalityLb lb = LocalityLb.of("us-east/a/2", WHERE, setting, false);
        assertThat(lb.share()).containsExactly(40, 40, 0, 20, 0);
        assertThat(LocalityLb.of("ap-south/d/1", WHERE, setting, false)).as("no rule from here").isNull();
        // A pattern's share goes evenly to the endpoints of the localities it matches, as Istio weighs them.
        var uneven = LocalityLb.of("r/z1", List.of("r/z1", "r/z2", "r/z2", "r/z2"), new LocalityLbSetting(
                List.of(new Distribute("r/*", Map.of("r/*", 100))), null, null), false);
        assertThat(uneven.share()).containsExactly(25, 25, 25, 25);
    }

    @Test
    void sharesWeighEveryPolicyAndTheHashKeepsToTheNearestLevel() {
        List<Upstream> ups = List.of(new Upstream(new HostPort("big", 1)), new Upstream(new HostPort("small", 1)));
        var shares = new LocalityLb(new int[] {0, 0}, new double[] {80, 20}, 1);
        EndpointPicker random = new EndpointPicker(ups, SimpleLb.RANDOM, new Random(7), null, 0, null,
                System::nanoTime, shares);
        assertThat(counts(random, ups, 10_000).get("big")).as("80 %% within 2 points").isBetween(7_800, 8_200);
        EndpointPicker least = new EndpointPicker(ups, SimpleLb.LEAST_REQUEST, new Random(7), null, 0, null,
                System::nanoTime, shares);
        for (int i = 0; i < 2; i++) {
            ups.get(0).opened();
        }
        assertThat(least.first()).as("3 per 80 against 1 per 20: the big one").isEqualTo(0);
        for (int i = 0; i < 5; i++) {
            ups.get(0).opened();
        }
        assertThat(least.first()).as("8 per 80 against 1 per 20: the small one").isEqualTo(1);

        AtomicLong now = new AtomicLong();
        List<Upstream> four = List.of(new Upstream(new HostPort("near-1", 1)), new Upstream(new HostPort("near-2", 1)),
                new Upstream(new HostPort("far-1", 1)), new Upstream(new HostPort("far-2", 1)));
        OutlierDetector outliers = new OutlierDetector(four, new OutlierDetection(1, null, "1s", "60s", 100, null),
                now::get);
        EndpointPicker hashed = new EndpointPicker(four, SimpleLb.ROUND_ROBIN, new Random(1), outliers, 0, null,
                now::get, LocalityLb.of("r/z/s", List.of("r/z/s", "r/z/s", "r/y/s", "r/y/s"), null, true));
        for (int user = 0; user < 50; user++) {
            assertThat(hashed.get(hashed.firstFor("user-" + user)).address().host()).startsWith("near-");
        }
        outliers.failure(four.get(0), true, true);
        for (int user = 0; user < 20; user++) {
            String first = hashed.get(hashed.firstFor("user-" + user)).address().host();
            for (int again = 0; again < 5; again++) {
                assertThat(hashed.get(hashed.firstFor("user-" + user)).address().host())
                        .as("loads split 70/30: a key keeps its level by its hash").isEqualTo(first);
            }
        }
        // Ejected through another detector over the same endpoints (the last table's, by a request that started
        // there): the picker's cached loads see it too.
        new OutlierDetector(four, new OutlierDetection(1, null, "1s", "60s", 100, null), now::get)
                .failure(four.get(1), true, true);
        assertThat(hashed.get(hashed.firstFor("user-1")).address().host()).as("the near level out").startsWith("far-");
        assertThat(hashed.get(hashed.first()).address().host()).startsWith("far-");
    }

    @Test
    void levelsTakeLoadByHealthWithEnvoysOverprovisioning() {
        assertThat(LocalityLb.loads(new int[] {4, 4}, new int[] {4, 4})).containsExactly(100, 0);
        assertThat(LocalityLb.loads(new int[] {3, 4}, new int[] {4, 4})).as("3/4 x 1.4 >= 1").containsExactly(100, 0);
        assertThat(LocalityLb.loads(new int[] {2, 4}, new int[] {4, 4})).containsExactly(70, 30);
        assertThat(LocalityLb.loads(new int[] {0, 1}, new int[] {4, 4})).as("scaled up").containsExactly(0, 100);
        assertThat(LocalityLb.loads(new int[] {0, 0}, new int[] {4, 4})).as("panic").containsExactly(100, 0);
    }

    @Test
    void picksStayNearAndFailOverAsEndpointsAreEjected() {
        AtomicLong now = new AtomicLong();
        List<Upstream> ups = List.of(new Upstream(new HostPort("near-1", 1)), new Upstream(new HostPort("near-2", 1)),
                new Upstream(new HostPort("far-1", 1)), new Upstream(new HostPort("far-2", 1)));
        OutlierDetector outliers = new OutlierDetector(ups, new OutlierDetection(1, null, "1s", "60s", 100, null),
                now::get);
        LocalityLb lb = LocalityLb.of("r/z/s", List.of("r/z/s", "r/z/s", "r/y/s", "r/y/s"), null, true);
        EndpointPicker picker = new EndpointPicker(ups, SimpleLb.ROUND_ROBIN, new Random(1), outliers, 0, null,
                now::get, lb);
        assertThat(counts(picker, ups, 100)).containsExactly(Map.entry("near-1", 50), Map.entry("near-2", 50));
        outliers.failure(ups.get(0), true, true); // half the near level out: 1/2 x 1.4 = 70 % stays near
        Map<String, Integer> half = counts(picker, ups, 1000);
        assertThat(half.get("near-2")).isBetween(690, 710);
        assertThat(half.get("far-1") + half.get("far-2")).isBetween(290, 310);
        assertThat(half).doesNotContainKey("near-1");
        outliers.failure(ups.get(1), true, true);
        assertThat(counts(picker, ups, 100)).containsExactly(Map.entry("far-1", 50), Map.entry("far-2", 50));
    }

    @Test
    void failoverPriorityLevelsComeFromLabelsAndSplitByLocalityWithFailover() {
        List<Integer> priorities = List.of(0, 0, 1, 2, 2);
        var byLabels = new LocalityLbSetting(null, null, null, List.of("topology.istio.io/network"));
        assertThat(LocalityLb.of("us-east/a/1", WHERE, priorities, byLabels, true).level())
                .as("labels alone: locality plays no part").containsExactly(0, 0, 1, 2, 2);
        assertThat(LocalityLb.of(null, WHERE, priorities, byLabels, true).level()).as("no node locality needed")
                .containsExactly(0, 0, 1, 2, 2);
        assertThat(LocalityLb.of("us-east/a/1", WHERE, priorities, byLabels, false)).as("needs outlier detection")
                .isNull();
        var withFailover = new LocalityLbSetting(null, List.of(new Failover("us-east", "ap-south")), null,
                List.of("topology.istio.io/network"));
        // Istio: priority * 5 + the locality's level (0 same subzone, 1 zone, 2 region, 3 other, 4 not failover's).
        assertThat(LocalityLb.of("us-east/a/1", WHERE, priorities, withFailover, true).level())
                .containsExactly(0, 1, 2, 4, 3);
    }

    @Test
    void retriesStayInTheLevelTriedUnlessItsLevelIsExcluded() {
        AtomicLong now = new AtomicLong();
        List<Upstream> ups = List.of(new Upstream(new HostPort("near-1", 1)), new Upstream(new HostPort("near-2", 1)),
                new Upstream(new HostPort("zone-1", 1)), new Upstream(new HostPort("zone-2", 1)),
                new Upstream(new HostPort("far-1", 1)));
        OutlierDetector outliers = new OutlierDetector(ups, new OutlierDetection(1, null, "1s", "60s", 100, null),
                now::get);
        LocalityLb lb = LocalityLb.of("r/z/s", List.of("r/z/s", "r/z/s", "r/z/t", "r/z/t", "q/y/s"), null, true);
        EndpointPicker picker = new EndpointPicker(ups, SimpleLb.ROUND_ROBIN, new Random(1), outliers, 0, null,
                now::get, lb);
        assertThat(picker.levelOf(2)).isEqualTo(1);
        assertThat(picker.retryAfter(0, 0)).as("the level's other endpoint").isEqualTo(1);
        assertThat(picker.retryAfter(1, 0)).isEqualTo(0);
        assertThat(picker.retryAfter(4, 0)).as("alone in its level: the same one, as Envoy's").isEqualTo(4);
        assertThat(java.util.stream.IntStream.range(0, 4).map(i -> picker.retryAfter(0, 0b1)).boxed().toList())
                .as("the levels tried left out: the nearest other, its endpoints in turn").containsExactly(2, 3, 2, 3);
        assertThat(picker.retryAfter(2, 0b11)).isEqualTo(4);
        assertThat(picker.retryAfter(4, 0b111)).as("every level left out: as with none").isEqualTo(4);
        assertThat(picker.retryAfter(4, 0b1)).as("its own level not left out: stays").isEqualTo(4);
        outliers.failure(ups.get(1), true, true);
        assertThat(picker.retryAfter(0, 0)).as("the level's others ejected: its load spills outwards")
                .isIn(2, 3);
        outliers.failure(ups.get(0), true, true);
        assertThat(picker.retryAfter(0, 0)).as("nothing healthy left in the level").isIn(2, 3);
        EndpointPicker plain = new EndpointPicker(ups, SimpleLb.ROUND_ROBIN, new Random(1));
        assertThat(plain.retryAfter(1, 0)).as("no levels: the next one on").isEqualTo(2);
        assertThat(plain.levelOf(1)).isEqualTo(-1);
    }

    @Test
    void aNodesLocalityReachesItsTable() {
        MeshConfig config = twoEndpoints("locality: us-east/a", "locality: us-east/b",
                "{outlierDetection: {consecutive5xxErrors: 1}}");
        assertThat(picks(config, new NodeScope("shop", Map.of(), "us-east/a"))).containsExactly("10.0.0.1");
        assertThat(picks(config, new NodeScope("shop", Map.of(), "us-east/b"))).containsExactly("10.0.0.2");
    }

    @Test
    void aNodesLabelsPickTheEndpointsOfItsNetworkFirst() {
        MeshConfig config = twoEndpoints("labels: {app: web, net: blue}", "labels: {app: web, net: green}",
                "{outlierDetection: {consecutive5xxErrors: 1}, loadBalancer: {localityLbSetting: {failoverPriority:"
                        + " [net]}}}");
        assertThat(picks(config, new NodeScope("shop", Map.of("net", "blue")))).containsExactly("10.0.0.1");
        assertThat(picks(config, new NodeScope("shop", Map.of("net", "green")))).containsExactly("10.0.0.2");
    }

    /**
     * Service web of shop behind a TCP gateway port (9000): WorkloadEntries 10.0.0.1 and 10.0.0.2 with {@code first}
     * and {@code second} added to their specs, and a DestinationRule with {@code trafficPolicy}.
     */
    private static MeshConfig twoEndpoints(String first, String second, String trafficPolicy) {
        return MeshConfig.of(SyntheticMesh.parse("""
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec: {ports: [{name: http, port: 80}], selector: {app: web}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: web-1, namespace: shop}
                spec: {address: 10.0.0.1, ports: {http: 7001}, labels: {app: web}, %s}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: web-2, namespace: shop}
                spec: {address: 10.0.0.2, ports: {http: 7001}, labels: {app: web}, %s}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: web, namespace: shop}
                spec: {host: web, trafficPolicy: %s}
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: shop}
                spec: {servers: [{port: {number: 9000, name: tcp, protocol: TCP}, hosts: ['*']}]}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web, namespace: shop}
                spec: {hosts: ['*'], gateways: [gw], tcp: [{route: [{destination: {host: web}}]}]}
                """.formatted(first, second, trafficPolicy).replace("labels: {app: web}, labels:", "labels:")));
    }

    /** Where ten first picks of the node's table for port 9000 land. */
    private static java.util.Set<String> picks(MeshConfig config, NodeScope node) {
        RouteTable table = RouteTableBuilder.build(1, config, null, new Destinations(new Random(1),
                System::nanoTime, io.kshift.proxy.telemetry.Telemetry.detached()), RouteTable.empty(),
                io.kshift.model.secret.FleetKeys.none(), node);
        EndpointPicker picker = table.routes().get(9000).targets().get(0).endpoints();
        java.util.Set<String> out = new java.util.TreeSet<>();
        for (int i = 0; i < 10; i++) {
            out.add(picker.get(picker.first()).address().host());
        }
        return out;
    }

    static Map<String, Integer> counts(EndpointPicker picker, List<Upstream> ups, int n) {
        Map<String, Integer> out = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            out.merge(ups.get(picker.first()).address().host(), 1, Integer::sum);
        }
        return out;
    }
}
