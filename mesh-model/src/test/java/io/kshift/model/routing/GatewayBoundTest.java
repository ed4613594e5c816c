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
                .apply(vs("b", "istio-system", "[ingress, mesh, istio-system/ingress]"), t).config()
                .apply(vs("a", "shop", "[istio-system/ingress]"), t.plusSeconds(1)).config()
                .apply(vs("c", "shop", "[ingress]"), t.plusSeconds(2)).config()
                .apply(vs("d", "shop", "[mesh]"), t.plusSeconds(3)).config();
        assertThat(GatewayBound.virtualServices(config, INGRESS)).extracting(Resource::name)
                .as("c names shop/ingress, d only the mesh").containsExactly("b", "a");
        assertThat(GatewayBound.virtualServices(config, new ResourceKey(Kind.GATEWAY, "shop", "ingress")))
                .extracting(Resource::name).containsExactly("c");
        assertThat(GatewayBound.virtualServices(config, new ResourceKey(Kind.GATEWAY, "other", "ingress"))).isEmpty();

        MeshConfig moved = config.apply(vs("a", "shop", "[mesh]")).config();
        assertThat(GatewayBound.virtualServices(moved, INGRESS)).extracting(Resource::name).containsExactly("b");
        assertThat(GatewayBound.virtualServices(config, INGRESS)).as("the earlier config's own index")
                .extracting(Resource::name).containsExactly("b", "a");
    }
}
