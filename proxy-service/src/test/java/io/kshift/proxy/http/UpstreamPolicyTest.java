package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.istio.ConnectionPoolSettings;
import io.kshift.model.istio.TrafficPolicy;
import io.kshift.model.registry.HostPort;
import io.kshift.model.registry.ResolvedDestination;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A DestinationRule's connectionPool as the HTTP pools take it, with Istio's fallbacks and Envoy's readings. */
class UpstreamPolicyTest {
    private static UpstreamPolicy of(ConnectionPoolSettings pool) {
        TrafficPolicy policy = new TrafficPolicy(null, pool);
        ResolvedDestination d = new ResolvedDestination("web", null, "v1", List.of(new HostPort("10.0.0.1", 80)), null,
                Duration.ofSeconds(1), null, policy, "shop", 80, null, null, false, null);
        return UpstreamPolicy.of(d, null);
    }

    private static ConnectionPoolSettings.TcpSettings tcp(Integer maxConnections, String maxDuration, String idle) {
        return new ConnectionPoolSettings.TcpSettings(maxConnections, null, maxDuration, idle, null);
    }

    private static ConnectionPoolSettings.HttpSettings http(String idle) {
        return new ConnectionPoolSettings.HttpSettings(null, null, null, null, idle, null, null, null);
    }

    @Test
    void theIdleTimeoutIsHttpsThenTcpsAndZeroIsNone() {
        assertThat(of(null).idleTimeoutSeconds()).isEqualTo(UpstreamPolicy.DEFAULT_IDLE_SECONDS);
        assertThat(of(new ConnectionPoolSettings(null, http(null))).idleTimeoutSeconds())
                .as("an http block without idleTimeout: the default too").isEqualTo(UpstreamPolicy.DEFAULT_IDLE_SECONDS);
        assertThat(of(new ConnectionPoolSettings(tcp(null, null, "2m"), null)).idleTimeoutSeconds())
                .as("Istio takes tcp.idleTimeout when http sets none").isEqualTo(120);
        assertThat(of(new ConnectionPoolSettings(tcp(null, null, "2m"), http("30s"))).idleTimeoutSeconds())
                .isEqualTo(30);
        assertThat(of(new ConnectionPoolSettings(null, http("0s"))).idleTimeoutSeconds()).as("0: none").isZero();
    }

    @Test
    void maxConnectionDurationAgesHttpConnectionsAndAnExplicitLimitIsALimit() {
        assertThat(of(null).maxAgeMillis()).isZero();
        assertThat(of(new ConnectionPoolSettings(tcp(null, "90s", null), null)).maxAgeMillis()).isEqualTo(90_000);
        assertThat(of(null).maxConnections()).isEqualTo(UpstreamPolicy.UNLIMITED);
        assertThat(of(new ConnectionPoolSettings(tcp(1024, null, null), null)).maxConnections()).isEqualTo(1024);
    }
}
