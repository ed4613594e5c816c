package io.kshift.model.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.mesh.SyntheticMesh;
import io.kshift.model.resource.Kind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** exportTo and Sidecar egress hosts, as Istio reads them. */
class VisibilityTest {
    @Test
    void exportToNamesWhoSeesAResource() {
        assertThat(Exports.exportedTo(List.of(), "shop", "other")).as("empty: everyone").isTrue();
        assertThat(Exports.exportedTo(List.of("*"), "shop", "other")).isTrue();
        assertThat(Exports.exportedTo(List.of("."), "shop", "shop")).isTrue();
        assertThat(Exports.exportedTo(List.of("."), "shop", "other")).isFalse();
        assertThat(Exports.exportedTo(List.of(".", "other"), "shop", "other")).isTrue();
        assertThat(Exports.exportedTo(List.of("~"), "shop", "shop")).as("'~': nobody, not even itself").isFalse();
        assertThat(Exports.annotation(" ., istio-system ,")).containsExactly(".", "istio-system");
    }

    @Test
    void aNamespacesViewLeavesOutWhatIsNotExportedToIt() {
        MeshConfig config = MeshConfig.of(SyntheticMesh.parse("""
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: private, namespace: shop}
                spec: {host: web, exportTo: ["."]}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: public, namespace: shop}
                spec: {host: api}
                """));
        assertThat(Exports.visibleIn(config, "shop")).isSameAs(config);
        MeshConfig seen = Exports.visibleIn(config, "istio-system");
        assertThat(seen.ofKind(Kind.DESTINATION_RULE)).extracting(r -> r.name()).containsExactly("public");
        assertThat(seen.size()).isEqualTo(1);

        // A change to another kind: that view's DestinationRules are the earlier view's, not worked out again.
        MeshConfig changed = config.apply(SyntheticMesh.parse("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web, namespace: shop}
                spec: {hosts: [web], exportTo: ["."], http: [{route: [{destination: {host: web}}]}]}
                """)).config();
        MeshConfig seenAfter = Exports.visibleIn(changed, "istio-system");
        assertThat(seenAfter.ofKind(Kind.DESTINATION_RULE)).isSameAs(seen.ofKind(Kind.DESTINATION_RULE));
        assertThat(seenAfter.ofKind(Kind.VIRTUAL_SERVICE)).as("exported to shop only").isEmpty();
        assertThat(Exports.visibleIn(changed, "shop").ofKind(Kind.VIRTUAL_SERVICE)).hasSize(1);
    }

    @Test
    void aNodeServesTheGatewaysThatSelectItRememberedPerGatewayKind() {
        MeshConfig config = MeshConfig.of(SyntheticMesh.parse("""
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: a, namespace: istio-system}
                spec: {selector: {zone: a}, servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]}
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: b, namespace: istio-system}
                spec: {selector: {zone: b}, servers: [{port: {number: 81, name: http, protocol: HTTP}, hosts: ["*"]}]}
                """));
        MeshConfig inA = GatewaySelection.forNode(config, Map.of("zone", "a", "pool", "x"));
        assertThat(inA.ofKind(Kind.GATEWAY)).extracting(r -> r.name()).containsExactly("a");
        assertThat(inA.size()).isEqualTo(1);
        MeshConfig changed = config.apply(SyntheticMesh.parse("""
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: web, namespace: shop}
                spec: {host: web}
                """)).config();
        assertThat(GatewaySelection.forNode(changed, Map.of("zone", "a", "pool", "x")).ofKind(Kind.GATEWAY))
                .as("Gateways unchanged: the same selection").isSameAs(inA.ofKind(Kind.GATEWAY));
        Map<String, String> withNull = new java.util.HashMap<>();
        withNull.put("zone", null);
        assertThat(GatewaySelection.forNode(config, withNull).ofKind(Kind.GATEWAY)).as("a label without a value")
                .isEmpty();
    }

    @Test
    void egressHostsImportByNamespaceAndName() {
        MeshConfig config = MeshConfig.of(SyntheticMesh.parse("""
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: default, namespace: shop}
                spec:
                  egress: [{hosts: ["./*", "istio-system/*.example.com", "*/api.partner.io", "~/*"]}]
                """));
        SidecarScope scope = SidecarScope.forNode(config, "shop", Map.of());
        assertThat(scope.imports("shop", "anything.shop.svc.cluster.local")).isTrue();
        assertThat(scope.imports("istio-system", "www.example.com")).isTrue();
        assertThat(scope.imports("istio-system", "*.example.com")).isTrue();
        assertThat(scope.imports("istio-system", "example.com")).isFalse();
        assertThat(scope.imports("billing", "api.partner.io")).isTrue();
        assertThat(scope.imports("billing", "www.example.com")).isFalse();
        assertThat(scope.importsAny("shop", List.of("web"))).as("a short name answers as web.shop...").isTrue();
        assertThat(SidecarScope.forNode(config, "billing", Map.of())).satisfies(none -> {
            assertThat(none.importsAll()).as("no Sidecar applies: everything").isTrue();
            assertThat(none.namespace()).isEqualTo("billing");
        });
    }

    /** Istio's DestinationRule lookup: the client's namespace, the service's, then the root namespace's. */
    @Test
    void aRootNamespaceDestinationRuleIsTheMeshDefault() {
        MeshConfig config = MeshConfig.of(SyntheticMesh.parse("""
                apiVersion: v1
                kind: Service
                metadata: {name: stock, namespace: warehouse}
                spec: {ports: [{name: http, port: 80}], selector: {app: stock}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: stock-1, namespace: warehouse}
                spec: {address: 10.0.0.1, labels: {app: stock, version: v1}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: stock-2, namespace: warehouse}
                spec: {address: 10.0.0.2, labels: {app: stock, version: v2}}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: mesh-default, namespace: istio-system}
                spec: {host: stock.warehouse.svc.cluster.local, subsets: [{name: v1, labels: {version: v1}}]}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: elsewhere, namespace: billing}
                spec: {host: stock.warehouse.svc.cluster.local, subsets: [{name: v2, labels: {version: v2}}]}
                """));
        var resolver = new io.kshift.model.registry.DestinationResolver(config);
        assertThat(resolver.resolve("stock.warehouse.svc.cluster.local", "v1", null, "shop").ok()).isTrue();
        assertThat(resolver.resolve("stock.warehouse.svc.cluster.local", "v2", null, "shop").ok())
                .as("a third namespace's rule applies to nothing").isFalse();
    }
}
