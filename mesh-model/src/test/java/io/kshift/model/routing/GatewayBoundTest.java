package io.kshift.model.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.mesh.SyntheticMesh;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import io.kshift.model.resource.ResourceKey;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class GatewayBoundTest {
    private static final ResourceKey INGRESS = new ResourceKey(Kind.GATEWAY, "istio-system", "ingress");

    private static List<Resource> vs(String name, String namespace, String gateways) {
        return SyntheticMesh.parse("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: %s, namespace: %s}
                spec: {hosts: [%s.example.com], gateways: %s, http: [{route: [{destination: {host: web}}]}]}
                """.formatted(name, namespace, name, gateways));
    }

    @Test
    void listsTheVirtualServicesThatNameAGatewayOnceEachOldestFirst() {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        MeshConfig config = MeshConfig.empty()
                .apply(vs("b", "zz", "[istio-system/ingress, mesh, istio-system/ingress]"), t).config()
                .apply(vs("a", "shop", "[istio-system/ingress]"), t.plusSeconds(1)).config()
                .apply(vs("c", "shop", "[ingress]"), t.plusSeconds(2)).config()
                .apply(vs("d", "istio-system", "[mesh, ingress]"), t.plusSeconds(3)).config()
                .apply(vs("e", "shop", "[mesh]"), t.plusSeconds(4)).config()
                .apply(vs("f", "shop", "[istio-system/in/gress]"), t.plusSeconds(5)).config();
        assertThat(GatewayBound.virtualServices(config, INGRESS)).extracting(Resource::name)
                .as("oldest first though zz/b sorts last by key; c names shop/ingress, e only the mesh")
                .containsExactly("b", "a", "d");
        assertThat(GatewayBound.virtualServices(config, new ResourceKey(Kind.GATEWAY, "shop", "ingress")))
                .extracting(Resource::name).containsExactly("c");
        assertThat(GatewayBound.virtualServices(config, new ResourceKey(Kind.GATEWAY, "istio-system", "in/gress")))
                .as("split at the first slash, as ListenerBindings.names does").extracting(Resource::name)
                .containsExactly("f");
        assertThat(GatewayBound.virtualServices(config, new ResourceKey(Kind.GATEWAY, "other", "ingress"))).isEmpty();
        for (Resource vs : config.ofKind(Kind.VIRTUAL_SERVICE)) {
            boolean named = vs.specAs(io.kshift.model.istio.VirtualServiceSpec.class).gateways().stream()
                    .anyMatch(g -> ListenerBindings.names(g, vs.namespace(), INGRESS));
            assertThat(GatewayBound.virtualServices(config, INGRESS).contains(vs)).as(vs.name()).isEqualTo(named);
        }

        List<Resource> bound = GatewayBound.virtualServices(config, INGRESS);
        MeshConfig gatewayChanged = config.apply(SyntheticMesh.parse("""
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: ingress, namespace: istio-system}
                spec: {servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]}
                """)).config();
        assertThat(GatewayBound.virtualServices(gatewayChanged, INGRESS)).as("VirtualServices unchanged: not redone")
                .isSameAs(bound);

        MeshConfig moved = config.apply(vs("a", "shop", "[mesh]")).config();
        assertThat(GatewayBound.virtualServices(moved, INGRESS)).extracting(Resource::name).containsExactly("b", "d");
        assertThat(GatewayBound.virtualServices(config, INGRESS)).as("the earlier config's own index")
                .extracting(Resource::name).containsExactly("b", "a", "d");
    }
}
