package io.kshift.model.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.istio.HttpRoute;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.mesh.SyntheticMesh;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.ResourceKey;
import org.junit.jupiter.api.Test;

/** Istio's delegation as Istio merges it: delegate matches within the root's, root policies as defaults. */
class DelegationTest {
    private static final String CONFIG = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: root, namespace: front}
            spec:
              hosts: [shop.example.com]
              gateways: [public]
              http:
              - match: [{uri: {prefix: /reviews}}]
                timeout: 3s
                mirror: {host: shadow}
                delegate: {name: reviews, namespace: back}
              - route: [{destination: {host: web}}]
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: reviews, namespace: back}
            spec:
              http:
              - match: [{uri: {prefix: /reviews/v2}, headers: {x-canary: {exact: "yes"}}}]
                route: [{destination: {host: reviews, subset: v2}}]
                timeout: 1s
              - match: [{uri: {prefix: /ratings}}]
                route: [{destination: {host: ratings}}]
              - match: [{uri: {regex: "/reviews/.*"}}]
                route: [{destination: {host: reviews}}]
              - route: [{destination: {host: reviews.back.svc.cluster.local, subset: v1}}]
            """;

    @Test
    void aRootRouteIsReplacedByTheDelegatesRoutesWithinItsMatch() {
        MeshConfig config = MeshConfig.of(SyntheticMesh.parse(CONFIG));
        var root = config.get(new ResourceKey(Kind.VIRTUAL_SERVICE, "front", "root")).orElseThrow();
        Delegation.Expanded expanded = Delegation.expand(config, root);
        assertThat(expanded.fields()).containsExactly(
                "spec.http[0] > VirtualService back/reviews spec.http[0]",
                "spec.http[0] > VirtualService back/reviews spec.http[3]",
                "spec.http[1]");
        HttpRoute canary = expanded.routes().get(0);
        assertThat(canary.match()).singleElement().satisfies(m -> {
            assertThat(m.uri().prefix()).isEqualTo("/reviews/v2");
            assertThat(m.headers()).containsKey("x-canary");
        });
        assertThat(canary.timeout()).as("the delegate's own").isEqualTo("1s");
        assertThat(canary.route().get(0).destination().host()).as("named from the delegate's namespace")
                .isEqualTo("reviews.back.svc.cluster.local");
        HttpRoute rest = expanded.routes().get(1);
        assertThat(rest.match()).singleElement().satisfies(m -> assertThat(m.uri().prefix()).isEqualTo("/reviews"));
        assertThat(rest.timeout()).as("the root's, where the delegate sets none").isEqualTo("3s");
        assertThat(rest.mirror().host()).as("the root's mirror, named from the root's namespace")
                .isEqualTo("shadow");
        assertThat(expanded.routes().get(2)).isSameAs(root.specAs(io.kshift.model.istio.VirtualServiceSpec.class)
                .http().get(1));
    }

    @Test
    void aMissingDelegateServesNothingAndAVirtualServiceWithoutDelegatesIsAsWritten() {
        MeshConfig config = MeshConfig.of(SyntheticMesh.parse(CONFIG.substring(0, CONFIG.indexOf("---"))));
        var root = config.get(new ResourceKey(Kind.VIRTUAL_SERVICE, "front", "root")).orElseThrow();
        assertThat(Delegation.expand(config, root).fields()).containsExactly("spec.http[1]");
        var plain = MeshConfig.of(SyntheticMesh.parse(CONFIG.substring(CONFIG.indexOf("---") + 4)));
        var delegate = plain.get(new ResourceKey(Kind.VIRTUAL_SERVICE, "back", "reviews")).orElseThrow();
        assertThat(Delegation.expand(plain, delegate).fields()).isEmpty();
    }

    /**
     * As Istio's hasConflict: a delegate's route naming a gateway its root route does not is dropped; names compare
     * resolved, each in its own VirtualService's namespace ({@code internal} in back is back/internal).
     */
    @Test
    void aDelegateCannotServeOnAGatewayItsRootRouteDoesNotName() {
        MeshConfig config = MeshConfig.of(SyntheticMesh.parse("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: root, namespace: front}
                spec:
                  hosts: [shop.example.com]
                  gateways: [internal, public]
                  http:
                  - match: [{gateways: [internal], uri: {prefix: /x}}]
                    delegate: {name: x, namespace: back}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: x, namespace: back}
                spec:
                  http:
                  - match: [{gateways: [public], uri: {prefix: /x/y}}]
                    route: [{destination: {host: y}}]
                  - match: [{gateways: [front/internal], uri: {prefix: /x/z}}]
                    route: [{destination: {host: z}}]
                  - match: [{gateways: [internal], uri: {prefix: /x/w}}]
                    route: [{destination: {host: w}}]
                  - route: [{destination: {host: x}}]
                """));
        var root = config.get(new ResourceKey(Kind.VIRTUAL_SERVICE, "front", "root")).orElseThrow();
        Delegation.Expanded expanded = Delegation.expand(config, root);
        assertThat(expanded.fields()).containsExactly(
                "spec.http[0] > VirtualService back/x spec.http[1]",
                "spec.http[0] > VirtualService back/x spec.http[3]");
        assertThat(expanded.routes().get(0).match()).singleElement().satisfies(m ->
                assertThat(m.gateways()).containsExactly("front/internal"));
    }
}
