package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.Schemas;
import io.kshift.model.mesh.SyntheticMesh;
import io.kshift.proxy.routing.RouteTable;
import io.kshift.proxy.routing.RouteTableBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Gateway API mesh routing: an HTTPRoute whose parent is the Service {@code reviews} (as Istio's bookinfo
 * {@code gateway-api/route-reviews-90-10.yaml}) serves requests for that Service's host on the mesh port, split
 * exactly; its hostnames do not apply, and a route for a Service in another namespace serves nothing.
 */
class MeshHttpRouteTest {
    private static final String MESH = """
            apiVersion: v1
            kind: Service
            metadata: {name: reviews, namespace: shop}
            spec: {ports: [{name: http, port: 9080}], selector: {app: reviews}}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: reviews-v1, namespace: shop}
            spec: {ports: [{name: http, port: 9080}], selector: {app: reviews, version: v1}}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: reviews-v2, namespace: shop}
            spec: {ports: [{name: http, port: 9080}], selector: {app: reviews, version: v2}}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: r1, namespace: shop}
            spec: {address: 127.0.0.1, ports: {http: 7001}, labels: {app: reviews, version: v1}}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: r2, namespace: shop}
            spec: {address: 127.0.0.1, ports: {http: 7002}, labels: {app: reviews, version: v2}}
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: reviews, namespace: shop}
            spec:
              parentRefs: [{group: "", kind: Service, name: reviews, port: 9080}]
              hostnames: [ignored.example.com]
              rules:
              - backendRefs:
                - {name: reviews-v1, port: 9080, weight: 90}
                - {name: reviews-v2, port: 9080, weight: 10}
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: elsewhere, namespace: other}
            spec:
              parentRefs: [{kind: Service, name: reviews, namespace: shop}]
              rules:
              - backendRefs: [{name: reviews-v2, namespace: shop, port: 9080}]
            """;

    @Test
    void aMeshVirtualServiceWithAWildcardHostRoutesTheServicesItCovers() {
        String mesh = """
                apiVersion: v1
                kind: Service
                metadata: {name: api, namespace: shop}
                spec: {ports: [{name: http, port: 9080}], selector: {app: api}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: a1, namespace: shop}
                spec: {address: 127.0.0.1, ports: {http: 7001}, labels: {app: api, version: v1}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: a2, namespace: shop}
                spec: {address: 127.0.0.2, ports: {http: 7002}, labels: {app: api, version: v2}}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: api, namespace: shop}
                spec:
                  host: api.shop.svc.cluster.local
                  subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: all-shop, namespace: shop}
                spec:
                  hosts: ["*.shop.svc.cluster.local"]
                  http: [{route: [{destination: {host: api.shop.svc.cluster.local, subset: v2}}]}]
                """;
        RouteTable table = RouteTableBuilder.build(new MeshSnapshot(Schemas.MESH_SNAPSHOT, 1, "c", Instant.now(),
                SyntheticMesh.parse(mesh)), new Random(1));
        assertThat(table.mesh().defaults()).as("the service has a default route").isNotEmpty();
        for (String host : List.of("api.shop.svc.cluster.local", "api.shop.svc.cluster.local:9080", "api",
                "api.shop:9080", "api.shop.svc")) {
            List<HttpRouteEntry> routes = table.mesh().routes(host);
            assertThat(routes).as(host).hasSize(1);
            assertThat(routes.get(0).targets()).as("the VirtualService's route, not the service's default")
                    .singleElement().satisfies(t -> assertThat(t.destination().subset()).isEqualTo("v2"));
        }
    }

    @Test
    void aServiceParentRoutesThatServicesMeshTrafficNinetyTen() {
        RouteTable table = RouteTableBuilder.build(new MeshSnapshot(Schemas.MESH_SNAPSHOT, 1, "c", Instant.now(),
                SyntheticMesh.parse(MESH)), new Random(1));
        for (String host : List.of("reviews.shop:9080", "reviews.shop.svc.cluster.local")) {
            List<HttpRouteEntry> routes = table.mesh().routes(host);
            assertThat(routes).as(host).hasSize(1);
            Map<String, Integer> landed = new TreeMap<>();
            for (int i = 0; i < 100; i++) {
                HttpTarget t = routes.get(0).pick();
                landed.merge(t.endpoints().get(t.endpoints().first()).toString(), 1, Integer::sum);
            }
            assertThat(landed).as(host).containsExactly(Map.entry("127.0.0.1:7001", 90),
                    Map.entry("127.0.0.1:7002", 10));
        }
        assertThat(table.mesh().routes("ignored.example.com")).as("hostnames do not apply to a Service parent")
                .isNull();
    }

    /** GEP-1426: where a GRPCRoute and an HTTPRoute both have the Service as parent, the GRPCRoute routes it. */
    @Test
    void aGrpcRouteOnTheSameServiceWinsOverTheHttpRoute() {
        RouteTable table = RouteTableBuilder.build(new MeshSnapshot(Schemas.MESH_SNAPSHOT, 1, "c", Instant.now(),
                SyntheticMesh.parse(MESH + """
                        ---
                        apiVersion: gateway.networking.k8s.io/v1
                        kind: GRPCRoute
                        metadata: {name: reviews-grpc, namespace: shop}
                        spec:
                          parentRefs: [{group: "", kind: Service, name: reviews}]
                          rules: [{backendRefs: [{name: reviews-v2, port: 9080}]}]
                        """)), new Random(1));
        List<HttpRouteEntry> routes = table.mesh().routes("reviews.shop:9080");
        RouteTable otherPort = RouteTableBuilder.build(new MeshSnapshot(Schemas.MESH_SNAPSHOT, 1, "c", Instant.now(),
                SyntheticMesh.parse(MESH + """
                        ---
                        apiVersion: gateway.networking.k8s.io/v1
                        kind: GRPCRoute
                        metadata: {name: reviews-grpc, namespace: shop}
                        spec:
                          parentRefs: [{group: "", kind: Service, name: reviews, port: 9443}]
                          rules: [{backendRefs: [{name: reviews-v2, port: 9080}]}]
                        """)), new Random(1));
        assertThat(otherPort.mesh().routes("reviews.shop:9080")).as("another port: no conflict, each its own")
                .extracting(r -> r.source().name()).containsExactly("reviews");
        assertThat(otherPort.mesh().routes("reviews.shop:9443")).extracting(r -> r.source().name())
                .containsExactly("reviews-grpc");
        assertThat(routes).singleElement().satisfies(r -> {
            assertThat(r.source().name()).isEqualTo("reviews-grpc");
            assertThat(r.targets()).singleElement()
                    .satisfies(t -> assertThat(t.destination().service()).contains("reviews-v2"));
        });
    }

    /** GEP-1426: a parentRef's port limits the route to that port of the Service; the others keep their default. */
    @Test
    void aServiceParentWithAPortRoutesThatPortOnly() {
        routesOnePortOnly("port: 8000");
    }

    /** GEP-1426: a Service parent's sectionName is the Service's port name, as port is its number. */
    @Test
    void aServiceParentWithASectionNameRoutesThatNamedPortOnly() {
        routesOnePortOnly("sectionName: http");
    }

    /** An HTTPRoute whose Service parent names port 8000 ({@code portRef}: how) serves that port alone. */
    private static void routesOnePortOnly(String portRef) {
        RouteTable table = RouteTableBuilder.build(new MeshSnapshot(Schemas.MESH_SNAPSHOT, 1, "c", Instant.now(),
                SyntheticMesh.parse("""
                        apiVersion: v1
                        kind: Service
                        metadata: {name: api, namespace: shop}
                        spec:
                          ports: [{name: http, port: 8000}, {name: http-admin, port: 9000}]
                          selector: {app: api}
                        ---
                        apiVersion: v1
                        kind: Service
                        metadata: {name: api-v2, namespace: shop}
                        spec: {ports: [{name: http, port: 8000}], selector: {app: api, version: v2}}
                        ---
                        apiVersion: networking.istio.io/v1
                        kind: WorkloadEntry
                        metadata: {name: a1, namespace: shop}
                        spec: {address: 127.0.0.1, ports: {http: 7001, http-admin: 7009}, labels: {app: api, version: v1}}
                        ---
                        apiVersion: networking.istio.io/v1
                        kind: WorkloadEntry
                        metadata: {name: a2, namespace: shop}
                        spec: {address: 127.0.0.2, ports: {http: 7002, http-admin: 7009}, labels: {app: api, version: v2}}
                        ---
                        apiVersion: gateway.networking.k8s.io/v1
                        kind: HTTPRoute
                        metadata: {name: api-8000, namespace: shop}
                        spec:
                          parentRefs: [{group: "", kind: Service, name: api, PORT_REF}]
                          rules: [{backendRefs: [{name: api-v2, port: 8000}]}]
                        """.replace("PORT_REF", portRef))), new Random(1));
        for (String host : List.of("api:8000", "api.shop:8000", "api.shop.svc.cluster.local:8000")) {
            assertThat(table.mesh().routes(host)).as(host).singleElement()
                    .satisfies(r -> assertThat(r.source().name()).isEqualTo("api-8000"));
        }
        assertThat(table.mesh().routes("api")).as("no bare name: a Host without a port is port 80's").isNull();
        for (String host : List.of("api:9000", "api.shop.svc.cluster.local:9000")) {
            assertThat(table.mesh().routes(host)).as(host + ": the Service's own default route").singleElement()
                    .satisfies(r -> {
                        assertThat(r.source()).isNull();
                        assertThat(r.targets()).singleElement().satisfies(t -> assertThat(t.endpoints().size())
                                .isEqualTo(2));
                    });
        }
    }

    @Test
    void aServiceParentOnPortEightyAlsoTakesAHostWithoutAPort() {
        RouteTable table = RouteTableBuilder.build(new MeshSnapshot(Schemas.MESH_SNAPSHOT, 1, "c", Instant.now(),
                SyntheticMesh.parse(MESH.replace("{ports: [{name: http, port: 9080}], selector: {app: reviews}}",
                        "{ports: [{name: http, port: 80}, {name: http-admin, port: 9080}], selector: {app: reviews}}")
                        .replace("name: reviews, port: 9080}]", "name: reviews, port: 80}]"))), new Random(1));
        // A Host without a port is port 80's: the route's too (and a route for every port would come after it).
        for (String host : List.of("reviews", "reviews.shop", "reviews.shop:80")) {
            assertThat(table.mesh().routes(host)).as(host).singleElement()
                    .satisfies(r -> assertThat(r.source().name()).isEqualTo("reviews"));
        }
        assertThat(table.mesh().routes("reviews.shop:9080")).singleElement()
                .satisfies(r -> assertThat(r.source()).as("port 9080's default route").isNull());
    }
}
