package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.ScaleFixtures;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.Resource;
import io.kshift.model.routing.NodeScope;
import io.kshift.model.secret.FleetKeys;
import io.kshift.proxy.routing.Destinations;
import io.kshift.proxy.routing.RouteTable;
import io.kshift.proxy.routing.RouteTableBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * A mesh table patched from the last one ({@link MeshPatch}) routes exactly as one built from nothing, and carries
 * exactly the destination state, pickers and compiled hosts such a build would hold (none left over from
 * swapped-out routes): 400 random edits per node scope, among them ones a patch takes (weights from 0 to 100,
 * renamed, re-exported and re-created VirtualServices, two at once) and ones it must leave to a whole build (names
 * two virtual hosts share, a Gateway API mesh route's service, a wildcard host, a delegating root and its delegate,
 * DestinationRules, moved workloads, a deleted route's last destinations).
 */
class MeshPatchTest {
    private static final int SERVICES = 40;
    private final NodeBuilds builds = new NodeBuilds();
    private final Random random = new Random(11);
    /** Each service's VirtualService as it stands: null when deleted. */
    private final Map<Integer, VsState> vs = new HashMap<>();
    private MeshConfig config;
    private RouteTable table = RouteTable.empty();
    private NodeScope scope = NodeScope.EVERYWHERE;

    private record VsState(List<String> hosts, int v1Weight, boolean v1Only, String exportTo) {
        VsState(List<String> hosts, int v1Weight, boolean v1Only) {
            this(hosts, v1Weight, v1Only, "*");
        }

        String yaml(int i) {
            String routes = v1Only ? "    - {destination: {host: svc-%d, subset: v1}}\n".formatted(i)
                    : ("    - {destination: {host: svc-%1$d, subset: v1}, weight: %2$d}\n"
                    + "    - {destination: {host: svc-%1$d, subset: v2}, weight: %3$d}\n")
                    .formatted(i, v1Weight, 100 - v1Weight);
            return """
                    apiVersion: networking.istio.io/v1
                    kind: VirtualService
                    metadata: {name: svc-%d, namespace: scale}
                    spec:
                      hosts: %s
                      exportTo: ["%s"]
                      http:
                      - route:
                    """.formatted(i, hosts, exportTo) + routes;
        }
    }

    private static final String EXTRAS = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: wild, namespace: scale}
            spec:
              hosts: ["*.wild.example"]
              http:
              - route:
                - {destination: {host: svc-0, subset: v1}, weight: WILD}
                - {destination: {host: svc-0, subset: v2}, weight: WILD2}
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: root, namespace: scale}
            spec:
              hosts: [root.example]
              http:
              - match: [{uri: {prefix: /d}}]
                delegate: {name: child, namespace: scale}
              - route:
                - {destination: {host: svc-1, subset: v1}, weight: ROOT}
                - {destination: {host: svc-1, subset: v2}, weight: ROOT2}
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: child, namespace: scale}
            spec:
              http:
              - route: [{destination: {host: svc-2, subset: CHILD}}]
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: mesh-svc-3, namespace: scale}
            spec:
              parentRefs: [{group: "", kind: Service, name: svc-3, port: 8000}]
              rules:
              - matches: [{path: {type: PathPrefix, value: /gamma}}]
                backendRefs: [{name: svc-3, port: 8000}]
            """;

    private String extras(int wild, int root, String child) {
        return EXTRAS.replace("WILD2", "" + (100 - wild)).replace("WILD", "" + wild)
                .replace("ROOT2", "" + (100 - root)).replace("ROOT", "" + root).replace("CHILD", child);
    }

    private String destinationRule(int i, String lb) {
        return """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: svc-%1$d, namespace: scale}
                spec:
                  host: svc-%1$d
                  trafficPolicy: {loadBalancer: {simple: %2$s}}
                  subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
                """.formatted(i, lb);
    }

    @Test
    void aPatchedMeshTableRoutesAndCarriesStateExactlyAsAWholeBuild() {
        run();
    }

    /** The same for a node in namespace {@code scale} under a Sidecar, where exportTo decides what it sees. */
    @Test
    void aPatchedMeshTableFollowsExportsAndTheSidecarAsAWholeBuild() {
        scope = new NodeScope("scale", Map.of());
        run();
    }

    private void run() {
        List<Resource> start = new ArrayList<>(ScaleFixtures.services(SERVICES));
        start.addAll(ScaleFixtures.parse(extras(50, 50, "v2")));
        start.addAll(ScaleFixtures.parse("""
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: default, namespace: scale}
                spec:
                  egress: [{hosts: ["./*", "istio-system/*"]}]
                """));
        config = MeshConfig.of(start);
        for (int i = 0; i < SERVICES; i++) {
            vs.put(i, new VsState(List.of("svc-" + i), 90, false));
        }
        push(config);
        int patched = 0;
        for (int step = 0; step < 400; step++) {
            push(config.apply(edit()).config());
            patched += table.build().meshPatched() ? 1 : 0;
            assertSameAsWholeBuild("step " + step);
        }
        assertThat(patched).as("builds that were patches").isGreaterThan(80).isLessThan(400);
    }

    @Test
    void aOneWeightChangeIsAPatchThatCompilesOneHost() {
        config = MeshConfig.of(ScaleFixtures.services(SERVICES));
        push(config);
        RouteTable before = table;
        push(config.apply(ScaleFixtures.parse(ScaleFixtures.virtualService(7, 50))).config());
        assertThat(table.build().meshPatched()).isTrue();
        assertThat(table.build().hostsCompiled()).isEqualTo(1);
        assertThat(table.build().hostsReused()).isEqualTo(SERVICES - 1);
        assertThat(table.mesh().defaults()).isSameAs(before.mesh().defaults());
        assertThat(table.mesh().routes("svc-8")).isSameAs(before.mesh().routes("svc-8"));
        assertThat(table.mesh().routes("svc-7.scale.svc.cluster.local").get(0).targets())
                .extracting(HttpTarget::weight).containsExactly(50, 50);
        assertSameAsWholeBuild("one weight");
    }

    private List<Resource> edit() {
        int i = random.nextInt(SERVICES);
        VsState now = vs.get(i);
        int kind = random.nextInt(10);
        if (now == null || kind == 0 && random.nextBoolean()) {
            return set(i, new VsState(List.of("svc-" + i), 10 * random.nextInt(11), false));
        }
        return switch (kind) {
            case 0 -> {
                vs.put(i, null);
                yield List.of(); // deleted below
            }
            case 1 -> set(i, new VsState(List.of("alias-" + random.nextInt(8) + ".example"), now.v1Weight(), false));
            case 2 -> set(i, new VsState(List.of("svc-" + random.nextInt(SERVICES)), now.v1Weight(), false));
            case 3 -> random.nextBoolean() ? set(i, new VsState(now.hosts(), now.v1Weight(), !now.v1Only(),
                    now.exportTo()))
                    : set(i, new VsState(now.hosts(), now.v1Weight(), now.v1Only(),
                    now.exportTo().equals("*") ? "elsewhere" : "*"));
            case 4 -> { // one of the wildcard, the delegating root, its delegate, the Gateway API mesh route
                List<Resource> extras = ScaleFixtures.parse(extras(10 + 10 * random.nextInt(9),
                        10 + 10 * random.nextInt(9), "v" + (1 + random.nextInt(2))).replace("/gamma",
                        "/gamma" + random.nextInt(3)));
                yield List.of(extras.get(random.nextInt(extras.size())));
            }
            case 5 -> random.nextBoolean()
                    ? ScaleFixtures.parse(destinationRule(i, random.nextBoolean() ? "ROUND_ROBIN" : "LEAST_REQUEST"))
                    : ScaleFixtures.service(i, 90, "10.0.0." + random.nextInt(3)).stream()
                    .filter(r -> r.type() == io.kshift.model.resource.Kind.WORKLOAD_ENTRY).toList();
            case 6 -> {
                List<Resource> two = new ArrayList<>(set(i, new VsState(now.hosts(), 10 * random.nextInt(11),
                        now.v1Only())));
                int j = random.nextInt(SERVICES);
                if (j != i && vs.get(j) != null) {
                    two.addAll(set(j, new VsState(vs.get(j).hosts(), 10 * random.nextInt(11),
                            vs.get(j).v1Only())));
                }
                yield two;
            }
            case 7 -> set(i, new VsState(List.of("svc-" + i, "extra-" + random.nextInt(4) + ".example"),
                    now.v1Weight(), now.v1Only()));
            default -> set(i, new VsState(now.hosts(), 10 * random.nextInt(11), now.v1Only(), now.exportTo()));
        };
    }

    private List<Resource> set(int i, VsState state) {
        vs.put(i, state);
        return ScaleFixtures.parse(state.yaml(i));
    }

    private void push(MeshConfig next) {
        // A deleted VirtualService: apply() only upserts, so take it out here.
        for (Map.Entry<Integer, VsState> e : vs.entrySet()) {
            if (e.getValue() == null) {
                next = next.delete(ScaleFixtures.parse(ScaleFixtures.virtualService(e.getKey(), 50))).config();
            }
        }
        config = next;
        table = builds.next(table, config, scope);
    }

    private void assertSameAsWholeBuild(String when) {
        RouteTable whole = RouteTableBuilder.build(table.generation(), table.config(), null,
                new Destinations(new Random(1), System::nanoTime, builds.telemetry()), RouteTable.empty(),
                FleetKeys.none(), scope);
        assertThat(view(table.mesh())).as(when + ": the mesh table").isEqualTo(view(whole.mesh()));
        assertThat(new TreeSet<>(table.carryOver().destinations().keySet().stream().map(Object::toString).toList()))
                .as(when + ": destinations with state").isEqualTo(new TreeSet<>(whole.carryOver().destinations()
                        .keySet().stream().map(Object::toString).toList()));
        assertThat(new TreeSet<>(table.hosts().hosts.keySet().stream().map(Object::toString).toList()))
                .as(when + ": compiled hosts kept for the next build").isEqualTo(new TreeSet<>(whole.hosts().hosts
                        .keySet().stream().map(Object::toString).toList()));
        assertThat(new TreeSet<>(table.carryOver().pickers().keySet().stream().map(Object::toString).toList()))
                .as(when + ": pickers").isEqualTo(new TreeSet<>(whole.carryOver().pickers().keySet().stream()
                        .map(Object::toString).toList()));
        // The pools kept after the swap are those of every route the table serves (HttpProxy.retainPools).
        java.util.Set<HttpTarget> served = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        java.util.stream.Stream.concat(java.util.stream.Stream.of(table.mesh()), table.http().values().stream())
                .flatMap(t -> java.util.stream.Stream.of(t.exact().values().stream(), t.defaults().values().stream(),
                        t.wildcards().stream().map(Map.Entry::getValue),
                        java.util.stream.Stream.ofNullable(t.any())).flatMap(x -> x))
                .flatMap(List::stream)
                .flatMap(r -> java.util.stream.Stream.concat(r.targets().stream(),
                        r.mirrors().stream().map(HttpRouteEntry.Mirror::target)))
                .forEach(served::add);
        java.util.Set<HttpTarget> kept = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        HttpProxy.forEachTarget(table.hosts(), kept::add);
        assertThat(served).as(when + ": destinations whose pools are kept").allMatch(kept::contains);
    }

    /** What a table routes each name to, as text: sources, fields, targets and weights, in order. */
    private static Map<String, String> view(VirtualHostTable t) {
        Map<String, String> out = new TreeMap<>();
        t.exact().forEach((name, routes) -> out.put("exact " + name, text(routes)));
        t.defaults().forEach((name, routes) -> out.put("default " + name, text(routes)));
        t.wildcards().forEach(e -> out.put("wildcard " + e.getKey(), text(e.getValue())));
        out.put("any", t.any() == null ? "-" : text(t.any()));
        return out;
    }

    private static String text(List<HttpRouteEntry> routes) {
        StringBuilder b = new StringBuilder();
        for (HttpRouteEntry r : routes) {
            b.append(r.source()).append(' ').append(r.field()).append(" match ").append(r.match().size());
            r.targets().forEach(target -> b.append(' ').append(target.destination().key())
                    .append(target.destination().endpoints()).append('=').append(target.weight()));
            b.append(';');
        }
        return b.toString();
    }
}
