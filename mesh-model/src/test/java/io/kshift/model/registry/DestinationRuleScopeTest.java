package io.kshift.model.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.istio.LoadBalancerSettings.SimpleLb;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.routing.NodeScope;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which DestinationRule a node uses, as Istio's proxies look it up: its own namespace's (unless the root), the
 * service's, the root's; a rule with a workloadSelector only on the nodes of its namespace it selects, before the
 * rules without one.
 */
class DestinationRuleScopeTest {
    private static final String SERVICE = """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: shop}
            spec: {selector: {app: web}, ports: [{name: http, port: 80}]}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: web-1, namespace: shop}
            spec: {address: 10.0.0.1, labels: {app: web, version: v1}}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: web-2, namespace: shop}
            spec: {address: 10.0.0.2, labels: {app: web, version: v2}}
            """;

    private static MeshConfig config(String... rules) throws Exception {
        MeshConfig config = MeshConfig.empty();
        Instant at = Instant.parse("2026-01-01T00:00:00Z");
        for (String yaml : prepend(SERVICE, rules)) {
            var parsed = ResourceReader.readBody(yaml.getBytes(StandardCharsets.UTF_8), BodyFormat.YAML);
            assertThat(parsed.errors()).isEmpty();
            config = config.apply(parsed.resources(), at).config();
            at = at.plusSeconds(60);
        }
        return config;
    }

    private static String[] prepend(String first, String[] rest) {
        String[] out = new String[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    private static String rule(String namespace, String name, String body) {
        return "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: " + name + ", namespace: "
                + namespace + "}\nspec:\n  host: web.shop.svc.cluster.local\n" + body;
    }

    private static final String SELECTING = rule("shop", "edge-only", """
              workloadSelector: {matchLabels: {gateway: edge}}
              trafficPolicy: {loadBalancer: {simple: LEAST_REQUEST}}
              subsets: [{name: v1, labels: {version: v1}}]
            """);
    private static final String EVERY_NODE = rule("shop", "default", """
              trafficPolicy: {loadBalancer: {simple: RANDOM}}
              subsets: [{name: v2, labels: {version: v2}}]
            """);

    private static DestinationResolver.Result resolve(MeshConfig config, NodeScope node, String subset) {
        return new DestinationResolver(config, node).resolve("web.shop.svc.cluster.local", subset, null, "shop");
    }

    @Test
    void aSelectingRuleAppliesOnTheNodesOfItsNamespaceItSelectsBeforeTheRest() throws Exception {
        // Older selecting rule, younger one without: age does not matter, selection does.
        MeshConfig config = config(SELECTING, EVERY_NODE);
        NodeScope edge = new NodeScope("shop", Map.of("gateway", "edge", "app", "gw"));
        assertThat(resolve(config, edge, "v1").destination().loadBalancer()).isEqualTo(SimpleLb.LEAST_REQUEST);
        assertThat(resolve(config, edge, "v2").ok()).as("the rule without selector fills in its subset").isTrue();
        assertThat(resolve(config, edge, "v2").destination().loadBalancer()).isEqualTo(SimpleLb.LEAST_REQUEST);

        NodeScope other = new NodeScope("shop", Map.of("gateway", "internal"));
        assertThat(resolve(config, other, "v2").destination().loadBalancer()).isEqualTo(SimpleLb.RANDOM);
        assertThat(resolve(config, other, "v1").problem().message()).contains("subset 'v1' is not defined");

        NodeScope elsewhere = new NodeScope("istio-system", Map.of("gateway", "edge"));
        assertThat(resolve(config, elsewhere, "v1").ok()).as("not across namespace boundaries").isFalse();
        assertThat(resolve(config, elsewhere, null).destination().loadBalancer()).isEqualTo(SimpleLb.RANDOM);

        // No node in particular (the validator): every rule, the selecting ones first.
        assertThat(resolve(config, NodeScope.EVERYWHERE, "v1").destination().loadBalancer())
                .isEqualTo(SimpleLb.LEAST_REQUEST);
        var resolver = new DestinationResolver(config);
        assertThat(resolver.subsetDefinedOnlyBySelecting("web.shop.svc.cluster.local", "v1", "shop"))
                .extracting(r -> r.key().toString()).containsExactly("DestinationRule shop/edge-only");
        assertThat(resolver.subsetDefinedOnlyBySelecting("web.shop.svc.cluster.local", "v2", "shop")).isEmpty();
    }

    @Test
    void aNodeLooksInItsOwnNamespaceThenTheServicesThenTheRootNeverTheRoutes() throws Exception {
        MeshConfig config = config(rule("istio-system", "mesh-default", """
                  trafficPolicy: {loadBalancer: {simple: LEAST_REQUEST}}
                """), rule("frontend", "from-the-route", """
                  trafficPolicy: {loadBalancer: {simple: RANDOM}}
                """), rule("edge", "the-nodes-own", """
                  trafficPolicy: {loadBalancer: {simple: PASSTHROUGH}}
                """));
        // The route is in frontend; Istio's gateway in istio-system never uses frontend's rule for it.
        assertThat(new DestinationResolver(config, new NodeScope("istio-system", Map.of()))
                .resolve("web.shop.svc.cluster.local", null, null, "frontend").destination().loadBalancer())
                .isEqualTo(SimpleLb.LEAST_REQUEST);
        assertThat(new DestinationResolver(config, new NodeScope("edge", Map.of()))
                .resolve("web.shop.svc.cluster.local", null, null, "frontend").destination().loadBalancer())
                .isEqualTo(SimpleLb.PASSTHROUGH);
        MeshConfig withServices = config(rule("shop", "the-services", """
                  trafficPolicy: {loadBalancer: {simple: RANDOM}}
                """), rule("istio-system", "mesh-default", """
                  trafficPolicy: {loadBalancer: {simple: LEAST_REQUEST}}
                """));
        assertThat(new DestinationResolver(withServices, new NodeScope("istio-system", Map.of()))
                .resolve("web.shop.svc.cluster.local", null, null, "frontend").destination().loadBalancer())
                .as("a node of the root namespace: the service's namespace first").isEqualTo(SimpleLb.RANDOM);
        MeshConfig rootPrivate = config(rule("shop", "the-services", """
                  trafficPolicy: {loadBalancer: {simple: RANDOM}}
                """), rule("istio-system", "gateways-own", """
                  exportTo: ["."]
                  trafficPolicy: {loadBalancer: {simple: LEAST_REQUEST}}
                """));
        assertThat(new DestinationResolver(rootPrivate, new NodeScope("istio-system", Map.of()))
                .resolve("web.shop.svc.cluster.local", null, null, "shop").destination().loadBalancer())
                .as("the root namespace's private rule is its own nodes' first").isEqualTo(SimpleLb.LEAST_REQUEST);
        assertThat(new DestinationResolver(rootPrivate, new NodeScope("edge", Map.of()))
                .resolve("web.shop.svc.cluster.local", null, null, "shop").destination().loadBalancer())
                .isEqualTo(SimpleLb.RANDOM);
        assertThat(new DestinationResolver(rootPrivate).resolve("web.shop.svc.cluster.local", null, null, "shop")
                .destination().loadBalancer()).as("no node: the service's namespace first").isEqualTo(SimpleLb.RANDOM);
    }

    @Test
    void aSelectingRuleIsPrivateToItsNamespaceAsIstioKeepsIt() throws Exception {
        MeshConfig config = config(rule("shop", "for-shop-nodes", """
                  workloadSelector: {matchLabels: {tier: edge}}
                  trafficPolicy: {loadBalancer: {simple: PASSTHROUGH}}
                """), rule("istio-system", "mesh-default", """
                  trafficPolicy: {loadBalancer: {simple: LEAST_REQUEST}}
                """));
        assertThat(new DestinationResolver(config, new NodeScope("edge", Map.of("tier", "edge")))
                .resolve("web.shop.svc.cluster.local", null, null, "shop").destination().loadBalancer())
                .as("not exported: the root namespace's rule applies").isEqualTo(SimpleLb.LEAST_REQUEST);
        MeshConfig gateways = config(rule("shop", "the-services", """
                  trafficPolicy: {loadBalancer: {simple: RANDOM}}
                """), rule("istio-system", "for-the-gateways", """
                  workloadSelector: {matchLabels: {istio: ingressgateway}}
                  trafficPolicy: {loadBalancer: {simple: LEAST_REQUEST}}
                """));
        assertThat(new DestinationResolver(gateways, new NodeScope("istio-system", Map.of("istio", "ingressgateway")))
                .resolve("web.shop.svc.cluster.local", null, null, "shop").destination().loadBalancer())
                .as("the root namespace's selecting rule is its gateways' first").isEqualTo(SimpleLb.LEAST_REQUEST);
        assertThat(new DestinationResolver(gateways, new NodeScope("istio-system", Map.of("istio", "other")))
                .resolve("web.shop.svc.cluster.local", null, null, "shop").destination().policy())
                .as("one it does not select: no rule, as Istio").isNull();
    }

    @Test
    void theFirstNamespaceWithRulesDecidesEvenWhenNoneOfThemSelectsTheNode() throws Exception {
        MeshConfig config = config(rule("shop", "the-services", """
                  trafficPolicy: {loadBalancer: {simple: RANDOM}}
                """), rule("edge", "for-other-nodes", """
                  workloadSelector: {matchLabels: {tier: internal}}
                  trafficPolicy: {loadBalancer: {simple: LEAST_REQUEST}}
                """));
        var resolved = new DestinationResolver(config, new NodeScope("edge", Map.of("tier", "public")))
                .resolve("web.shop.svc.cluster.local", null, null, "shop").destination();
        assertThat(resolved.policy()).as("Istio: no rule at all, not the service namespace's").isNull();
        assertThat(new DestinationResolver(config, new NodeScope("edge", Map.of("tier", "internal")))
                .resolve("web.shop.svc.cluster.local", null, null, "shop").destination().loadBalancer())
                .isEqualTo(SimpleLb.LEAST_REQUEST);
    }
}
