package io.kshift.model.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ListenerTest {
    private static Listener listener(Listener.AllowedRoutes allowed) {
        return new Listener("l", null, 9000, "TCP", allowed);
    }

    @Test
    void kindsListedAreTheOnlyOnesThatAttachAndNoneListedMeansEveryKind() {
        assertThat(listener(null).admitsKind("TCPRoute")).isTrue();
        assertThat(listener(new Listener.AllowedRoutes(null, List.of())).admitsKind("HTTPRoute")).isTrue();
        Listener tcpOnly = listener(new Listener.AllowedRoutes(null,
                List.of(new Listener.RouteGroupKind(null, "TCPRoute"))));
        assertThat(tcpOnly.admitsKind("TCPRoute")).isTrue();
        assertThat(tcpOnly.admitsKind("HTTPRoute")).isFalse();
        Listener otherGroup = listener(new Listener.AllowedRoutes(null,
                List.of(new Listener.RouteGroupKind("example.com", "TCPRoute"))));
        assertThat(otherGroup.admitsKind("TCPRoute")).isFalse();
        Listener gatewayApiGroup = listener(new Listener.AllowedRoutes(null,
                List.of(new Listener.RouteGroupKind("gateway.networking.k8s.io", "TCPRoute"))));
        assertThat(gatewayApiGroup.admitsKind("TCPRoute")).isTrue();
    }

    @Test
    void namespacesSameAllAndSelectorByTheNamespacesLabels() throws Exception {
        var none = io.kshift.model.routing.NamespaceLabels.of(io.kshift.model.mesh.MeshConfig.empty());
        assertThat(listener(null).admitsNamespace("gw", "gw", none)).isTrue();
        assertThat(listener(null).admitsNamespace("gw", "other", none)).isFalse();
        Listener all = listener(new Listener.AllowedRoutes(new Listener.RouteNamespaces(Listener.From.All, null), null));
        assertThat(all.admitsNamespace("gw", "other", none)).isTrue();
        Listener selector = listener(new Listener.AllowedRoutes(new Listener.RouteNamespaces(Listener.From.Selector,
                new LabelSelector(java.util.Map.of("expose-apps", "true"), List.of(new LabelSelector.Requirement(
                        "tier", LabelSelector.Operator.NotIn, List.of("internal"))))), null));
        assertThat(selector.admitsNamespace("gw", "gw", none)).as("no Namespace object: no labels").isFalse();
        var config = io.kshift.model.mesh.MeshConfig.empty().apply(io.kshift.model.codec.ResourceReader.readBody("""
                apiVersion: v1
                kind: Namespace
                metadata: {name: shop, labels: {expose-apps: "true"}}
                ---
                apiVersion: v1
                kind: Namespace
                metadata: {name: vault, labels: {expose-apps: "true", tier: internal}}
                """.getBytes(java.nio.charset.StandardCharsets.UTF_8), io.kshift.model.codec.BodyFormat.YAML)
                .resources()).config();
        var labels = io.kshift.model.routing.NamespaceLabels.of(config);
        assertThat(selector.admitsNamespace("gw", "shop", labels)).isTrue();
        assertThat(selector.admitsNamespace("gw", "vault", labels)).isFalse();
        // Every namespace carries kubernetes.io/metadata.name, as Kubernetes labels them.
        Listener byName = listener(new Listener.AllowedRoutes(new Listener.RouteNamespaces(Listener.From.Selector,
                new LabelSelector(java.util.Map.of("kubernetes.io/metadata.name", "team-a"), List.of())), null));
        assertThat(byName.admitsNamespace("gw", "team-a", none)).isTrue();
        assertThat(byName.admitsNamespace("gw", "team-b", none)).isFalse();
    }
}
