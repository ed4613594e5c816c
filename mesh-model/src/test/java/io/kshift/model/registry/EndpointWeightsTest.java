package io.kshift.model.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Istio's WorkloadEntry and ServiceEntry endpoint {@code weight}: carried to the destination, 0 or unset as 1. */
class EndpointWeightsTest {

    @Test
    void eachEndpointsWeightReachesTheDestinationAndEqualOnesAreNone() throws Exception {
        String mesh = """
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec: {ports: [{name: http, port: 80}], selector: {app: web}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: web-1}
                spec: {address: 10.0.0.1, labels: {app: web}, weight: %s}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: web-2}
                spec: {address: 10.0.0.2, labels: {app: web}}
                ---
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: ext}
                spec:
                  hosts: [ext.example.com]
                  ports: [{number: 80, name: http, protocol: HTTP}]
                  resolution: STATIC
                  endpoints: [{address: 10.1.0.1, weight: 9}, {address: 10.1.0.2, weight: 1}]
                """;
        var resolver = new DestinationResolver(Http2SelectionTest.config(mesh.formatted("90")));
        var web = resolver.resolve("web", null, 80, "default").destination();
        assertThat(web.endpoints()).extracting(HostPort::host).containsExactly("10.0.0.1", "10.0.0.2");
        assertThat(web.weights()).containsExactly(90, 1);
        assertThat(resolver.resolve("ext.example.com", null, 80, "default").destination().weights())
                .containsExactly(9, 1);
        assertThat(new DestinationResolver(Http2SelectionTest.config(mesh.formatted("0")))
                .resolve("web", null, 80, "default").destination().weights()).as("0 is 1: all equal").isEqualTo(List.of());
    }
}
