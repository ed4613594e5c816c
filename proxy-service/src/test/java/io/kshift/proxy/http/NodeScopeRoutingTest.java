package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.mesh.SyntheticMesh;
import io.kshift.model.routing.NodeScope;
import io.kshift.proxy.routing.Destinations;
import io.kshift.proxy.routing.RouteTable;
import io.kshift.proxy.routing.RouteTableBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a node serves depends on its namespace, as with Istio: {@code exportTo} hides VirtualServices,
 * DestinationRules and ServiceEntries from nodes of other namespaces (gateway ports and mesh port alike), and the
 * Sidecar of its namespace decides which hosts its mesh port reaches (gateway ports ignore it).
 */
class NodeScopeRoutingTest {
    private static final String BASE = """
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: gw, namespace: istio-system}
            spec:
              selector: {istio: ingressgateway}
              servers: [{port: {number: 8080, name: http, protocol: HTTP}, hosts: ['*/*']}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: shop}
            spec: {ports: [{name: http, port: 80}], selector: {app: web}}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: web-1, namespace: shop}
            spec: {address: 127.0.0.1, ports: {http: 7001}, labels: {app: web, version: v1}}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: stock, namespace: warehouse}
            spec: {ports: [{name: http, port: 80}], selector: {app: stock}}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: stock-1, namespace: warehouse}
            spec: {address: 127.0.0.1, ports: {http: 7002}, labels: {app: stock}}
            ---
            """;

    private static final Map<String, String> INGRESS = Map.of("istio", "ingressgateway");

    @Test
    void aVirtualServiceExportedOnlyToItsNamespaceIsNotServedByGatewayNodesOfAnother() {
        MeshConfig config = config("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web, namespace: shop}
                spec:
                  hosts: [web.example.com]
                  gateways: [istio-system/gw]
                  exportTo: ["."]
                  http: [{route: [{destination: {host: web}}]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: stock, namespace: warehouse}
                spec:
                  hosts: [stock.example.com]
                  gateways: [istio-system/gw]
                  exportTo: [istio-system]
                  http: [{route: [{destination: {host: stock}}]}]
                """);
        RouteTable gatewayNode = build(config, new NodeScope("istio-system", INGRESS));
        assertThat(gatewayNode.http().get(8080).routes("web.example.com")).as("exported to shop only").isNullOrEmpty();
        assertThat(gatewayNode.http().get(8080).routes("stock.example.com")).as("exported to istio-system")
                .hasSize(1);
        RouteTable shopNode = build(config, new NodeScope("shop", INGRESS));
        assertThat(shopNode.http().get(8080).routes("web.example.com")).hasSize(1);
        assertThat(shopNode.http().get(8080).routes("stock.example.com")).isNullOrEmpty();
        assertThat(build(config, NodeScope.EVERYWHERE).http().get(8080).routes("web.example.com"))
                .as("a view of everything ignores exportTo").hasSize(1);
    }

    @Test
    void aDestinationRuleExportedOnlyToItsNamespaceDoesNotApplyOnNodesOfAnother() {
        MeshConfig config = config("""
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: web, namespace: shop}
                spec:
                  host: web
                  exportTo: ["."]
                  subsets: [{name: v1, labels: {version: v1}}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web, namespace: shop}
                spec:
                  hosts: [web.example.com]
                  gateways: [istio-system/gw]
                  http: [{route: [{destination: {host: web, subset: v1}}]}]
                """);
        List<HttpRouteEntry> atGateway = build(config, new NodeScope("istio-system", INGRESS)).http().get(8080)
                .routes("web.example.com");
        assertThat(atGateway).hasSize(1);
        assertThat(atGateway.get(0).targets()).as("subset v1 is the DestinationRule's, which is not seen here")
                .isEmpty();
        List<HttpRouteEntry> inShop = build(config, new NodeScope("shop", INGRESS)).http().get(8080)
                .routes("web.example.com");
        assertThat(inShop.get(0).targets()).singleElement()
                .satisfies(t -> assertThat(t.destination().subset()).isEqualTo("v1"));
    }

    @Test
    void aDestinationRuleWithAWorkloadSelectorAppliesOnTheNodesOfItsNamespaceItSelects() {
        String route = """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web, namespace: shop}
                spec:
                  hosts: [web.example.com]
                  gateways: [istio-system/gw]
                  http: [{route: [{destination: {host: web, subset: v1}}]}]
                """;
        MeshConfig before = config(route);
        NodeScope edge = new NodeScope("shop", Map.of("istio", "ingressgateway", "tier", "edge"));
        RouteTable first = build(before, edge);
        assertThat(first.http().get(8080).routes("web.example.com").get(0).targets()).as("no rule yet").isEmpty();
        MeshConfig after = before.apply(SyntheticMesh.parse("""
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: web-edge, namespace: shop}
                spec:
                  host: web
                  workloadSelector: {matchLabels: {tier: edge}}
                  subsets: [{name: v1, labels: {version: v1}}]
                """)).config();
        RouteTable second = RouteTableBuilder.build(2, after, null, destinations(), first,
                io.kshift.model.secret.FleetKeys.none(), edge);
        assertThat(second.http().get(8080).routes("web.example.com").get(0).targets()).as("rebuilt: it selects")
                .singleElement().satisfies(t -> assertThat(t.destination().subset()).isEqualTo("v1"));
        assertThat(build(after, new NodeScope("shop", INGRESS)).http().get(8080).routes("web.example.com").get(0)
                .targets()).as("a node of shop without the label").isEmpty();
        assertThat(build(after, new NodeScope("istio-system", Map.of("istio", "ingressgateway", "tier", "edge")))
                .http().get(8080).routes("web.example.com").get(0).targets()).as("a node of another namespace")
                .isEmpty();
    }

    /** A destination a node cannot resolve keeps its share there, answered 503: no shift of traffic on one node. */
    @Test
    void aSubsetOnlySomeNodesResolveKeepsItsShareElsewhereAsA503() {
        MeshConfig config = config("""
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: web, namespace: shop}
                spec:
                  host: web
                  subsets: [{name: v1, labels: {version: v1}}]
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: web-edge, namespace: shop}
                spec:
                  host: web
                  workloadSelector: {matchLabels: {tier: edge}}
                  subsets: [{name: v2, labels: {version: v1}}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web, namespace: shop}
                spec:
                  hosts: [web.example.com]
                  gateways: [istio-system/gw]
                  http:
                  - route:
                    - {destination: {host: web, subset: v1}, weight: 75}
                    - {destination: {host: web, subset: v2}, weight: 25}
                """);
        HttpRouteEntry plain = build(config, new NodeScope("shop", INGRESS)).http().get(8080)
                .routes("web.example.com").get(0);
        assertThat(plain.targets()).singleElement().satisfies(t -> assertThat(t.destination().subset())
                .isEqualTo("v1"));
        int unserved = 0;
        for (int i = 0; i < 400; i++) {
            unserved += plain.pick() == null ? 1 : 0;
        }
        assertThat(unserved).as("v2's quarter, exactly").isEqualTo(100);
        HttpRouteEntry edge = build(config, new NodeScope("shop", Map.of("istio", "ingressgateway", "tier", "edge")))
                .http().get(8080).routes("web.example.com").get(0);
        for (int i = 0; i < 400; i++) {
            assertThat(edge.pick()).isNotNull();
        }
    }

    @Test
    void aServiceEntryExportedToNoNamespaceAndAnAnnotatedServiceAreSeenOnlyWhereExported() {
        MeshConfig config = config("""
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: hidden, namespace: shop}
                spec:
                  hosts: [hidden.example.com]
                  exportTo: ["~"]
                  ports: [{number: 80, name: http, protocol: HTTP}]
                  resolution: STATIC
                  endpoints: [{address: 127.0.0.1}]
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: private
                  namespace: warehouse
                  annotations: {networking.istio.io/exportTo: "."}
                spec: {ports: [{name: http, port: 80}], selector: {app: stock}}
                """);
        RouteTable gatewayNode = build(config, new NodeScope("istio-system", INGRESS));
        assertThat(gatewayNode.mesh().routes("hidden.example.com")).isNullOrEmpty();
        assertThat(gatewayNode.mesh().routes("private.warehouse.svc.cluster.local")).isNullOrEmpty();
        assertThat(gatewayNode.mesh().routes("stock.warehouse.svc.cluster.local")).as("exported everywhere")
                .hasSize(1);
        RouteTable warehouseNode = build(config, new NodeScope("warehouse", INGRESS));
        assertThat(warehouseNode.mesh().routes("private.warehouse.svc.cluster.local")).hasSize(1);
        assertThat(warehouseNode.mesh().routes("hidden.example.com")).as("'~': no namespace at all").isNullOrEmpty();
        // The same entry exported everywhere has its host served on the mesh port, as Istio's sidecars serve it.
        RouteTable open = build(config("""
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: partner, namespace: shop}
                spec:
                  hosts: [api.partner.example]
                  ports: [{number: 80, name: http, protocol: HTTP}, {number: 5432, name: db, protocol: TCP}]
                  resolution: STATIC
                  endpoints: [{address: 127.0.0.1}]
                """), new NodeScope("istio-system", INGRESS));
        assertThat(open.mesh().routes("api.partner.example")).singleElement().satisfies(r -> assertThat(r.targets())
                .singleElement().satisfies(t -> assertThat(t.destination().service()).isEqualTo("api.partner.example")));
        assertThat(open.mesh().routes("api.partner.example:80")).hasSize(1);
    }

    /** A Host without a port is port 80's: a multi-port Service's port 80 route serves its bare name. */
    @Test
    void aMultiPortServicesBareNameIsItsPort80() {
        MeshConfig config = config("""
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: shop}
                spec: {ports: [{name: http, port: 80}, {name: admin, port: 8080}], selector: {app: web}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: web-1, namespace: shop}
                spec: {address: 127.0.0.1, labels: {app: web}}
                """);
        RouteTable node = build(config, new NodeScope("shop", INGRESS));
        assertThat(node.mesh().routes("web.shop.svc.cluster.local")).singleElement().satisfies(r -> assertThat(
                r.targets()).singleElement().satisfies(t -> assertThat(t.destination().port()).isEqualTo(80)));
        assertThat(node.mesh().routes("web.shop.svc.cluster.local:8080")).singleElement().satisfies(r -> assertThat(
                r.targets()).singleElement().satisfies(t -> assertThat(t.destination().port()).isEqualTo(8080)));
        assertThat(node.mesh().routes("web.shop.svc.cluster.local:9090")).as("a port it does not have")
                .isNullOrEmpty();
    }

    private static final String ROUTES = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: front, namespace: shop}
            spec:
              hosts: [front.shop.svc.cluster.local]
              http: [{route: [{destination: {host: stock.warehouse.svc.cluster.local}}]}]
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: stock, namespace: warehouse}
            spec:
              hosts: [stock]
              gateways: [mesh, istio-system/gw]
              http: [{route: [{destination: {host: stock}}]}]
            ---
            """;

    @Test
    void theSidecarOfItsNamespaceDecidesWhichHostsTheMeshPortReaches() {
        MeshConfig config = config(ROUTES + """
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: default, namespace: shop}
                spec:
                  egress: [{hosts: ["./*", "istio-system/*"]}]
                """);
        RouteTable shopNode = build(config, new NodeScope("shop", INGRESS));
        assertThat(shopNode.mesh().routes("web.shop.svc.cluster.local")).as("a service of its own namespace")
                .hasSize(1);
        assertThat(shopNode.mesh().routes("stock.warehouse.svc.cluster.local"))
                .as("warehouse is not imported: neither its VirtualService nor its service").isNullOrEmpty();
        List<HttpRouteEntry> front = shopNode.mesh().routes("front.shop.svc.cluster.local");
        assertThat(front).hasSize(1);
        assertThat(front.get(0).targets()).as("an imported route's destinations are reached, imported or not")
                .singleElement().satisfies(t -> assertThat(t.destination().service()).contains("stock"));
        assertThat(shopNode.http().get(8080).routes("stock")).as("gateway ports ignore the Sidecar").hasSize(1);

        RouteTable warehouseNode = build(config, new NodeScope("warehouse", INGRESS));
        assertThat(warehouseNode.mesh().routes("stock.warehouse.svc.cluster.local"))
                .as("the shop's Sidecar does not apply in warehouse").hasSize(1);
    }

    @Test
    void aSelectingSidecarWinsOverTheNamespacesAndTheRootNamespacesIsTheDefault() {
        MeshConfig config = config(ROUTES + """
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: default, namespace: istio-system}
                spec:
                  egress: [{hosts: ["./*"]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: default, namespace: shop}
                spec:
                  egress: [{hosts: ["warehouse/*"]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: edge, namespace: shop}
                spec:
                  workloadSelector: {labels: {pool: edge}}
                  egress: [{hosts: ["./web.shop.svc.cluster.local"]}]
                """);
        RouteTable edge = build(config, new NodeScope("shop", Map.of("pool", "edge")));
        assertThat(edge.mesh().routes("web.shop.svc.cluster.local")).hasSize(1);
        assertThat(edge.mesh().routes("stock.warehouse.svc.cluster.local")).isNullOrEmpty();
        RouteTable plain = build(config, new NodeScope("shop", INGRESS));
        assertThat(plain.mesh().routes("web.shop.svc.cluster.local")).isNullOrEmpty();
        assertThat(plain.mesh().routes("stock.warehouse.svc.cluster.local")).hasSize(1);
        RouteTable warehouse = build(config, new NodeScope("warehouse", INGRESS));
        assertThat(warehouse.mesh().routes("stock.warehouse.svc.cluster.local"))
                .as("the root namespace's default: './*' is each node's own namespace").hasSize(1);
        assertThat(warehouse.mesh().routes("web.shop.svc.cluster.local")).isNullOrEmpty();
    }

    @Test
    void aSidecarWithoutEgressImportsEveryHost() {
        RouteTable shop = build(config(ROUTES + """
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: default, namespace: shop}
                spec: {outboundTrafficPolicy: {mode: REGISTRY_ONLY}}
                """), new NodeScope("shop", INGRESS));
        assertThat(shop.mesh().routes("stock.warehouse.svc.cluster.local")).hasSize(1);
    }

    @Test
    void aDelegatesExportToIsCheckedAgainstItsRootsNamespaceNotTheNodes() {
        String root = """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: root, namespace: shop}
                spec:
                  hosts: [web.example.com]
                  gateways: [istio-system/gw]
                  http: [{match: [{uri: {prefix: /}}], delegate: {name: leaf, namespace: shop}}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: leaf, namespace: shop}
                spec:
                  exportTo: [%s]
                  http: [{route: [{destination: {host: web}}]}]
                """;
        NodeScope gatewayNode = new NodeScope("istio-system", INGRESS);
        assertThat(build(config(root.formatted("\".\"")), gatewayNode).http().get(8080).routes("web.example.com"))
                .as("exported to its root's namespace: served wherever the root is").hasSize(1);
        assertThat(build(config(root.formatted("istio-system")), gatewayNode).http().get(8080)
                .routes("web.example.com")).as("not exported to its root's namespace").isNullOrEmpty();
    }

    @Test
    void aSidecarChangeRebuildsTheMeshPortsHosts() {
        MeshConfig before = config(ROUTES);
        NodeScope shop = new NodeScope("shop", INGRESS);
        RouteTable first = build(before, shop);
        assertThat(first.mesh().routes("stock.warehouse.svc.cluster.local")).hasSize(1);
        MeshConfig after = before.apply(SyntheticMesh.parse("""
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: default, namespace: shop}
                spec:
                  egress: [{hosts: ["./*"]}]
                """)).config();
        RouteTable second = RouteTableBuilder.build(2, after, null, destinations(), first,
                io.kshift.model.secret.FleetKeys.none(), shop);
        assertThat(second.mesh().routes("stock.warehouse.svc.cluster.local")).isNullOrEmpty();
        assertThat(second.mesh().routes("web.shop.svc.cluster.local")).hasSize(1);
    }

    /** A short name two namespaces share: the node's own namespace's service, else the first namespace by name. */
    @Test
    void aShortNameTwoNamespacesShareIsTheNodesOwnElseTheFirstByName() {
        String twice = """
                apiVersion: v1
                kind: Service
                metadata: {name: api, namespace: %s}
                spec: {ports: [{name: http, port: 8080}], selector: {app: api}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: api-1, namespace: %s}
                spec: {address: 127.0.0.1, ports: {http: 7003}, labels: {app: api}}
                ---
                """;
        MeshConfig config = config(twice.formatted("zeta", "zeta") + twice.formatted("alpha", "alpha")
                + twice.formatted("mid", "mid"));
        for (String name : List.of("api", "api:8080")) {
            assertThat(build(config, NodeScope.EVERYWHERE).mesh().routes(name).get(0).targets().get(0)
                    .destination().service()).isEqualTo("api.alpha.svc.cluster.local");
            assertThat(build(config, new NodeScope("zeta", Map.of())).mesh().routes(name).get(0).targets().get(0)
                    .destination().service()).isEqualTo("api.zeta.svc.cluster.local");
        }
        assertThat(build(config, new NodeScope("zeta", Map.of())).mesh().routes("api.mid:8080").get(0).targets()
                .get(0).destination().service()).isEqualTo("api.mid.svc.cluster.local");
    }

    private static MeshConfig config(String yaml) {
        return MeshConfig.of(SyntheticMesh.parse(BASE + yaml));
    }

    private static Destinations destinations() {
        return new Destinations(new java.util.Random(1), System::nanoTime,
                io.kshift.proxy.telemetry.Telemetry.detached());
    }

    private static RouteTable build(MeshConfig config, NodeScope node) {
        return RouteTableBuilder.build(1, config, null, destinations(), RouteTable.empty(),
                io.kshift.model.secret.FleetKeys.none(), node);
    }
}
