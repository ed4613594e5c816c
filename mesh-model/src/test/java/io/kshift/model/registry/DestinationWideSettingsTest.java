package io.kshift.model.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.istio.TrafficPolicy;
import org.junit.jupiter.api.Test;

/**
 * A DestinationRule's destination-wide settings (retryBudget, tunnel) reach every subset and port: a subset's own
 * entry for a port replaces the host's port settings, not those (Istio's merge copies them from the host).
 */
class DestinationWideSettingsTest {
    static final String RULE = """
            apiVersion: v1
            kind: Service
            metadata: {name: proxy, namespace: egress}
            spec: {selector: {app: proxy}, ports: [{name: tcp, port: 3128}]}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: proxy-1, namespace: egress}
            spec: {address: 10.0.0.1, labels: {app: proxy, version: v1}}
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: proxy, namespace: egress}
            spec:
              host: proxy
              trafficPolicy:
                retryBudget: {percent: 30}
                tunnel: {targetHost: api.example.com, targetPort: 443}
              subsets:
              - name: ported
                labels: {version: v1}
                trafficPolicy: {portLevelSettings: [{port: {number: 3128}, connectionPool: {tcp: {maxConnections: 7}}}]}
              - name: own
                labels: {version: v1}
                trafficPolicy: {tunnel: {targetHost: other.example.com, targetPort: 8443}}
            """;

    static TrafficPolicy policy(String subset) throws Exception {
        return new DestinationResolver(Http2SelectionTest.config(RULE)).resolve("proxy.egress.svc.cluster.local",
                subset, 3128, "egress").destination().policy();
    }

    @Test
    void aSubsetsPortEntryKeepsTheHostsBudgetAndTunnelAndItsOwnReplaceThem() throws Exception {
        TrafficPolicy ported = policy("ported");
        assertThat(ported.connectionPool().tcp().maxConnections()).isEqualTo(7);
        assertThat(ported.tunnel().authority()).isEqualTo("api.example.com:443");
        assertThat(ported.retryBudget().percent()).isEqualTo(30.0);
        assertThat(policy("own").tunnel().authority()).isEqualTo("other.example.com:8443");
        assertThat(policy(null).tunnel().authority()).isEqualTo("api.example.com:443");
    }
}
