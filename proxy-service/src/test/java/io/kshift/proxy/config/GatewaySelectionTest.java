package io.kshift.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.mesh.SyntheticMesh;
import io.kshift.proxy.routing.Destinations;
import io.kshift.proxy.routing.RouteTable;
import io.kshift.proxy.routing.RouteTableBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A node serves the Istio Gateways its labels satisfy, and keeps the whole config for the next delta. */
class GatewaySelectionTest {
    private static String gateway(String name, String selector, int port) {
        return """
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: %s}
                spec:
                  selector: %s
                  servers: [{port: {number: %d, name: tcp, protocol: TCP}, hosts: ['*']}]
                ---
                """.formatted(name, selector, port);
    }

    private static final MeshConfig CONFIG = MeshConfig.of(SyntheticMesh.parse(
            gateway("ingress", "{istio: ingressgateway}", 31400) + gateway("edge", "{pool: edge}", 31401)
                    + gateway("everyone", "{}", 31402) + """
                    apiVersion: v1
                    kind: Service
                    metadata: {name: echo}
                    spec: {ports: [{name: tcp, port: 9000}], selector: {app: echo}}
                    """));

    @Test
    void aNodeServesTheGatewaysItsLabelsSatisfy() {
        RouteTable ingress = build(Map.of("istio", "ingressgateway", "zone", "a"));
        assertThat(ingress.ports()).containsExactlyInAnyOrder(31400, 31402);
        RouteTable edge = build(Map.of("pool", "edge"));
        assertThat(edge.ports()).as("an empty selector selects every node").containsExactlyInAnyOrder(31401, 31402);
        assertThat(edge.config()).as("the whole config is kept: the next snapshot's delta applies to it")
                .isSameAs(CONFIG);
        assertThat(io.kshift.model.routing.GatewaySelection.forNode(CONFIG, Map.of("istio", "ingressgateway", "pool", "edge")))
                .as("nothing left out: the same config").isSameAs(CONFIG);
    }

    private static RouteTable build(Map<String, String> labels) {
        return RouteTableBuilder.build(1, CONFIG, null, new Destinations(new java.util.Random(1), System::nanoTime,
                io.kshift.proxy.telemetry.Telemetry.detached()), RouteTable.empty(),
                io.kshift.model.secret.FleetKeys.none(), new io.kshift.model.routing.NodeScope(null, labels));
    }
}
