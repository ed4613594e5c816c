package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.Schemas;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.mesh.SyntheticMesh;
import io.kshift.proxy.routing.RouteTable;
import io.kshift.proxy.routing.RouteTableBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Several resources for one host on one listener, as users split them: which rule of which resource a request
 * lands on. Gateway API routes merge by precedence (exact path, longest prefix, method, headers, query, then the
 * older route); VirtualServices on a gateway merge oldest first; on the mesh port only the oldest VirtualService
 * serves a host. Each YAML document is created a second after the one before it, so document order is age.
 */
class RouteMergeTest {
    private static final String SERVICES = """
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec: {ports: [{name: http, port: 8000}], selector: {app: web}}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: web-1}
            spec: {address: 127.0.0.1, ports: {http: 7001}, labels: {app: web}}
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: public}
            spec:
              gatewayClassName: kshift
              listeners: [{name: http, protocol: HTTP, port: 8080}]
            ---
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: istio-public}
            spec:
              selector: {istio: ingressgateway}
              servers: [{port: {number: 9090, name: http, protocol: HTTP}, hosts: ['*']}]
            """;

    /** A Gateway API route on {@code public} for shop.example.com; rules written as YAML list items. */
    private static String httpRoute(String name, String rules) {
        return """
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: %s}
                spec:
                  parentRefs: [{name: public}]
                  hostnames: [shop.example.com]
                  rules:
                %s""".formatted(name, rules.indent(2));
    }

    private static final String BACKEND = "  backendRefs: [{name: web, port: 8000}]\n";

    /** {@code docs} created one second apart, in order. */
    private static RouteTable table(String... docs) {
        MeshConfig config = MeshConfig.empty();
        for (int i = 0; i < docs.length; i++) {
            config = config.apply(SyntheticMesh.parse(docs[i]), Instant.ofEpochSecond(1_000_000 + i)).config();
        }
        return RouteTableBuilder.build(new MeshSnapshot(Schemas.MESH_SNAPSHOT, 1, "c", Instant.now(), config.all()),
                new Random(1));
    }

    /** The route a request lands on, as {@code resource-name field}, or null for a 404. */
    private static String landsOn(List<HttpRouteEntry> routes, String method, String path, Map<String, String> headers,
                                  Map<String, String> query) {
        return landsOn(8080, routes, method, path, headers, query);
    }

    /** As above, arriving on listener port {@code port}. */
    private static String landsOn(int port, List<HttpRouteEntry> routes, String method, String path,
                                  Map<String, String> headers, Map<String, String> query) {
        RequestView view = new RequestView(method, path, "shop.example.com", "http", port, headers::get, query::get);
        for (HttpRouteEntry route : routes) {
            if (MatchBlock.first(route.match(), view) != null) {
                return route.source().name() + " " + route.field();
            }
        }
        return null;
    }

    private static String get(List<HttpRouteEntry> routes, String path) {
        return landsOn(routes, "GET", path, Map.of(), Map.of());
    }

    @Test
    void gatewayApiRoutesForOneHostMergeByPrecedenceNotByResource() {
        RouteTable table = table(SERVICES,
                // Oldest: a catch-all written first, then an exact path, and a /tie prefix.
                httpRoute("zeta", """
                        - matches: [{path: {type: PathPrefix, value: /}}]
                        %s- matches: [{path: {type: Exact, value: /api/login}}]
                        %s- matches: [{path: {type: PathPrefix, value: /tie}}]
                        %s""".formatted(BACKEND, BACKEND, BACKEND)),
                // Newer (and first by name): longer prefixes, a method, headers, a query parameter, the same /tie.
                httpRoute("alpha", """
                        - matches: [{path: {type: PathPrefix, value: /api}}]
                        %s- matches:
                          - {path: {type: PathPrefix, value: /api}, method: POST}
                        %s- matches:
                          - path: {type: PathPrefix, value: /api}
                            headers: [{name: x-canary, value: "yes"}]
                        %s- matches:
                          - path: {type: PathPrefix, value: /api}
                            queryParams: [{name: debug, value: "1"}]
                          - path: {type: RegularExpression, value: "/api/v[0-9]+/.*"}
                        %s- matches: [{path: {type: PathPrefix, value: /tie}}]
                        %s""".formatted(BACKEND, BACKEND, BACKEND, BACKEND, BACKEND)));
        List<HttpRouteEntry> routes = table.http().get(8080).routes("shop.example.com");
        assertThat(get(routes, "/index.html")).isEqualTo("zeta spec.rules[0]");
        assertThat(get(routes, "/api/login")).as("an exact path before every prefix").isEqualTo("zeta spec.rules[1]");
        assertThat(get(routes, "/api/cart")).as("the longer prefix, though its route is newer")
                .isEqualTo("alpha spec.rules[0]");
        assertThat(landsOn(routes, "POST", "/api/cart", Map.of(), Map.of())).as("a method before none")
                .isEqualTo("alpha spec.rules[1]");
        assertThat(landsOn(routes, "GET", "/api/cart", Map.of("x-canary", "yes"), Map.of()))
                .as("more header matches first").isEqualTo("alpha spec.rules[2]");
        assertThat(landsOn(routes, "GET", "/api/cart", Map.of(), Map.of("debug", "1")))
                .as("a query match: each match of a rule is ranked on its own").isEqualTo("alpha spec.rules[3]");
        assertThat(get(routes, "/api/v2/cart")).as("a regular expression after every prefix")
                .isEqualTo("alpha spec.rules[0]");
        assertThat(get(routes, "/tie/x")).as("equal matches: the older route").isEqualTo("zeta spec.rules[2]");
        assertThat(get(routes, "/apix")).as("PathPrefix is whole segments").isEqualTo("zeta spec.rules[0]");
    }

    /** Gateway API conformance HTTPRouteMatchingAcrossRoutes: a wildcard route's rules serve the exact host too. */
    @Test
    void aWildcardRoutesRulesServeTheHostsItCoversBesideAnExactRoutes() {
        RouteTable table = table(SERVICES, """
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: part1}
                spec:
                  parentRefs: [{name: public}]
                  hostnames: [example.com, example.net]
                  rules:
                  - matches:
                    - path: {type: PathPrefix, value: /}
                    - headers: [{name: version, value: one}]
                    backendRefs: [{name: web, port: 8000}]
                """, """
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: part2}
                spec:
                  parentRefs: [{name: public}]
                  hostnames: ['*.com']
                  rules:
                  - matches:
                    - path: {type: PathPrefix, value: /v2}
                    - headers: [{name: version, value: two}]
                    backendRefs: [{name: web, port: 8000}]
                """);
        VirtualHostTable hosts = table.http().get(8080);
        assertThat(get(hosts.routes("example.com"), "/")).isEqualTo("part1 spec.rules[0]");
        assertThat(get(hosts.routes("example.com"), "/v2")).as("the longer prefix, from the wildcard route")
                .isEqualTo("part2 spec.rules[0]");
        assertThat(landsOn(hosts.routes("example.com"), "GET", "/", Map.of("version", "two"), Map.of()))
                .as("a header match before none").isEqualTo("part2 spec.rules[0]");
        assertThat(get(hosts.routes("example.net"), "/v2")).as("*.com does not cover example.net")
                .isEqualTo("part1 spec.rules[0]");
        assertThat(get(hosts.routes("foo.com"), "/v2")).isEqualTo("part2 spec.rules[0]");
        assertThat(get(hosts.routes("foo.com"), "/")).isNull();
    }

    /** The merged order is by route age on every build, reused virtual hosts included. */
    @Test
    void anOlderWildcardRouteStaysFirstAfterARebuildThatReusesIt() {
        MeshConfig config = MeshConfig.empty();
        String[] docs = {SERVICES, """
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: old}
                spec:
                  parentRefs: [{name: public}]
                  hostnames: ['*.com']
                  rules: [{backendRefs: [{name: web, port: 8000}]}]
                """, """
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: new}
                spec:
                  parentRefs: [{name: public}]
                  hostnames: [example.com]
                  rules: [{backendRefs: [{name: web, port: 8000}]}]
                """};
        for (int i = 0; i < docs.length; i++) {
            config = config.apply(SyntheticMesh.parse(docs[i]), Instant.ofEpochSecond(1_000_000 + i)).config();
        }
        var destinations = new io.kshift.proxy.routing.Destinations(new Random(1), System::nanoTime,
                io.kshift.proxy.telemetry.Telemetry.detached());
        RouteTable first = RouteTableBuilder.build(1, config, null, destinations, RouteTable.empty());
        assertThat(get(first.http().get(8080).routes("example.com"), "/x")).as("a tie: the older route")
                .isEqualTo("old spec.rules[0]");
        var changed = config.apply(SyntheticMesh.parse(virtualService("elsewhere", "istio-public",
                "- route: [{destination: {host: web}}]\n")), Instant.ofEpochSecond(1_000_010));
        RouteTable second = RouteTableBuilder.build(2, changed.config(), List.copyOf(changed.changedKeys()),
                destinations, first);
        assertThat(get(second.http().get(8080).routes("example.com"), "/x")).isEqualTo("old spec.rules[0]");
    }

    /** Istio documents that a VirtualService's wildcard host does not merge into an exact one: Envoy's rule stays. */
    @Test
    void aWildcardVirtualServiceDoesNotServeAnExactHostAnotherClaims() {
        RouteTable table = table(SERVICES, """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: wild}
                spec:
                  hosts: ['*.example.com']
                  gateways: [istio-public]
                  http:
                  - match: [{uri: {prefix: /foo}}]
                    route: [{destination: {host: web}}]
                """, virtualService("exact", "istio-public", "- match: [{uri: {prefix: /bar}}]\n" + TO_WEB));
        VirtualHostTable hosts = table.http().get(9090);
        assertThat(get(hosts.routes("shop.example.com"), "/foo")).isNull();
        assertThat(get(hosts.routes("other.example.com"), "/foo")).isEqualTo("wild spec.http[0]");
    }

    /** GEP-1016: an HTTPRoute and a GRPCRoute do not merge on a listener; the older serves the names they share. */
    @Test
    void anHttpRouteAndAGrpcRouteOnOneListenerAndHostnameDoNotMerge() {
        String grpc = """
                apiVersion: gateway.networking.k8s.io/v1
                kind: GRPCRoute
                metadata: {name: greeter}
                spec:
                  parentRefs: [{name: public}]
                  hostnames: [shop.example.com]
                  rules:
                  - matches: [{method: {service: helloworld.Greeter, method: SayHello}}]
                    backendRefs: [{name: web, port: 8000}]
                """;
        String catchAll = httpRoute("site", "- backendRefs: [{name: web, port: 8000}]\n");
        List<HttpRouteEntry> olderGrpc = table(SERVICES, grpc, catchAll).http().get(8080).routes("shop.example.com");
        assertThat(olderGrpc).extracting(r -> r.source().name()).containsOnly("greeter");
        assertThat(get(olderGrpc, "/helloworld.Greeter/SayHello")).isEqualTo("greeter spec.rules[0]");
        List<HttpRouteEntry> olderHttp = table(SERVICES, catchAll, grpc).http().get(8080).routes("shop.example.com");
        assertThat(olderHttp).extracting(r -> r.source().name()).containsOnly("site");
    }

    /** Equal matches from routes on two Gateways sharing a port: the older route, whatever the Gateways' names. */
    @Test
    void equalMatchesOnTwoGatewaysGoToTheOlderRouteNotByGatewayName() {
        RouteTable table = table(SERVICES, """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: a-first}
                spec:
                  gatewayClassName: kshift
                  listeners: [{name: http, protocol: HTTP, port: 8080}]
                """, httpRoute("stable", "- backendRefs: [{name: web, port: 8000}]\n"), """
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: canary}
                spec:
                  parentRefs: [{name: a-first}]
                  hostnames: [shop.example.com]
                  rules:
                  - backendRefs: [{name: web, port: 8000}]
                """);
        assertThat(get(table.http().get(8080).routes("shop.example.com"), "/x")).isEqualTo("stable spec.rules[0]");
    }

    @Test
    void withinOneHttpRouteAMoreSpecificRuleWinsOverAnEarlierOne() {
        RouteTable table = table(SERVICES, httpRoute("one", """
                - matches: [{path: {type: PathPrefix, value: /}}]
                %s- matches: [{path: {type: PathPrefix, value: /static}}]
                %s""".formatted(BACKEND, BACKEND)));
        List<HttpRouteEntry> routes = table.http().get(8080).routes("shop.example.com");
        assertThat(get(routes, "/static/app.js")).isEqualTo("one spec.rules[1]");
        assertThat(get(routes, "/")).isEqualTo("one spec.rules[0]");
    }

    /** A VirtualService for shop.example.com, on the Istio gateway or (gateways null) the mesh. */
    private static String virtualService(String name, String gateways, String http) {
        return """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: %s}
                spec:
                  hosts: [shop.example.com]
                %s  http:
                %s""".formatted(name, gateways == null ? "" : "  gateways: [" + gateways + "]\n", http.indent(2));
    }

    private static final String TO_WEB = "  route: [{destination: {host: web}}]\n";

    @Test
    void virtualServicesForOneHostOnAGatewayMergeOldestFirst() {
        RouteTable table = table(SERVICES,
                virtualService("zeta-cart", "istio-public", "- match: [{uri: {prefix: /cart}}]\n" + TO_WEB),
                virtualService("alpha-rest", "istio-public", "- match: [{uri: {prefix: /cart/special}}]\n" + TO_WEB
                        + "- route: [{destination: {host: web}}]\n"));
        List<HttpRouteEntry> routes = table.http().get(9090).routes("shop.example.com");
        assertThat(get(routes, "/cart/special")).as("the older VirtualService's routes come first, as written")
                .isEqualTo("zeta-cart spec.http[0]");
        assertThat(get(routes, "/cart")).isEqualTo("zeta-cart spec.http[0]");
        assertThat(get(routes, "/other")).isEqualTo("alpha-rest spec.http[1]");
    }

    @Test
    void mergedCatchAllRoutesGoLastSoAnOlderDefaultDoesNotHideANewerVirtualServicesRoutes() {
        RouteTable table = table(SERVICES,
                virtualService("base", "istio-public", "- match: [{uri: {prefix: /}}, {uri: {prefix: /old}}]\n"
                        + TO_WEB + "- route: [{destination: {host: web}}]\n"),
                virtualService("team", "istio-public", "- match: [{uri: {prefix: /team}}]\n" + TO_WEB),
                virtualService("late-default", "istio-public", "- route: [{destination: {host: web}}]\n"));
        List<HttpRouteEntry> routes = table.http().get(9090).routes("shop.example.com");
        assertThat(get(routes, "/team/x")).isEqualTo("team spec.http[0]");
        assertThat(get(routes, "/old/x")).as("a block after a catch-all block is dropped: the catch-all serves it")
                .isEqualTo("base spec.http[0]");
        assertThat(get(routes, "/anything")).as("catch-alls last, oldest first").isEqualTo("base spec.http[0]");
        assertThat(routes.get(routes.size() - 1).source().name()).isEqualTo("late-default");
    }

    /**
     * As Istio builds a VirtualService's routes only up to its first catch-all: a route after it, never reached in
     * its own VirtualService, is not reached when the merge moves the catch-all behind another's routes either.
     */
    @Test
    void routesAfterAVirtualServicesCatchAllAreNotServed() {
        RouteTable table = table(SERVICES,
                virtualService("a-old", "istio-public", "- route: [{destination: {host: web}}]\n"
                        + "- match: [{uri: {prefix: /api}}]\n" + TO_WEB),
                virtualService("b-new", "istio-public", "- match: [{uri: {prefix: /api}}]\n" + TO_WEB));
        List<HttpRouteEntry> routes = table.http().get(9090).routes("shop.example.com");
        assertThat(get(routes, "/api/x")).isEqualTo("b-new spec.http[0]");
        assertThat(get(routes, "/other")).isEqualTo("a-old spec.http[0]");
        assertThat(routes).extracting(HttpRouteEntry::field).doesNotContain("spec.http[1]");
    }

    /** Istio reads catch-alls off the Envoy route, where a match's port is no condition on its own listener. */
    @Test
    void aMatchOnTheListenersPortAloneIsACatchAllToo() {
        RouteTable table = table(SERVICES,
                virtualService("by-port", "istio-public", "- match: [{port: 9443}, {port: 9090}]\n" + TO_WEB),
                virtualService("api", "istio-public", "- match: [{uri: {prefix: /api}}]\n" + TO_WEB));
        List<HttpRouteEntry> routes = table.http().get(9090).routes("shop.example.com");
        assertThat(landsOn(9090, routes, "GET", "/api/x", Map.of(), Map.of())).isEqualTo("api spec.http[0]");
        assertThat(landsOn(9090, routes, "GET", "/other", Map.of(), Map.of())).isEqualTo("by-port spec.http[0]");
    }

    @Test
    void onTheMeshPortTheOldestVirtualServiceServesAHostAndGatewayApiRoutesStillMerge() {
        RouteTable table = table(SERVICES,
                virtualService("zeta-old", null, "- match: [{uri: {prefix: /a}}]\n" + TO_WEB),
                virtualService("alpha-new", null, "- route: [{destination: {host: web}}]\n"));
        List<HttpRouteEntry> routes = table.mesh().routes("shop.example.com");
        assertThat(get(routes, "/a")).isEqualTo("zeta-old spec.http[0]");
        assertThat(get(routes, "/b")).as("a newer VirtualService for the host is not merged on the mesh port")
                .isNull();
    }

    @Test
    void aDelegatingRouteServesTheDelegatesRoutesWithinItsMatch() {
        RouteTable table = table(SERVICES, """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: root}
                spec:
                  hosts: [shop.example.com]
                  gateways: [istio-public]
                  http:
                  - match: [{uri: {prefix: /cart}}]
                    delegate: {name: cart, namespace: team}
                  - route: [{destination: {host: web}}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: cart, namespace: team}
                spec:
                  http:
                  - match: [{uri: {prefix: /cart/checkout}}]
                    route: [{destination: {host: web.default.svc.cluster.local}}]
                  - route: [{destination: {host: web.default.svc.cluster.local}}]
                """);
        List<HttpRouteEntry> routes = table.http().get(9090).routes("shop.example.com");
        assertThat(get(routes, "/cart/checkout/pay")).isEqualTo("root spec.http[0] > VirtualService team/cart spec.http[0]");
        assertThat(get(routes, "/cart/items")).as("the delegate's catch-all, within the root's /cart")
                .isEqualTo("root spec.http[0] > VirtualService team/cart spec.http[1]");
        assertThat(get(routes, "/other")).isEqualTo("root spec.http[1]");
        assertThat(routes.get(0).targets()).as("the delegate's destination resolved").hasSize(1);
    }

    @Test
    void aVirtualServiceOnTwoGatewaysOfAPortServesEachGatewaysMatches() {
        RouteTable table = table(SERVICES, """
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: istio-other}
                spec:
                  selector: {istio: ingressgateway}
                  servers: [{port: {number: 9090, name: http, protocol: HTTP}, hosts: ['*']}]
                """, """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: both}
                spec:
                  hosts: [shop.example.com]
                  gateways: [istio-public, istio-other]
                  http:
                  - match: [{uri: {prefix: /a}, gateways: [istio-public]}, {uri: {prefix: /b}, gateways: [istio-other]}]
                    route: [{destination: {host: web}}]
                """);
        List<HttpRouteEntry> routes = table.http().get(9090).routes("shop.example.com");
        assertThat(get(routes, "/a")).isEqualTo("both spec.http[0]");
        assertThat(get(routes, "/b")).as("the other gateway's match block is served too").isEqualTo("both spec.http[0]");
    }
}
