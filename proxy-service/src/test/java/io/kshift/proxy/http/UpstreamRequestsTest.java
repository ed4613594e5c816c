package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.AsciiString;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which headers stop at the proxy: decided on names as they arrive, in any case, String or Netty's own. */
class UpstreamRequestsTest {
    @Test
    void hopByHopNamesAreKnownInAnyCaseAndOthersAreNot() {
        for (String name : new String[] {"connection", "Connection", "KEEP-ALIVE", "Proxy-Connection",
                "transfer-encoding", "TE", "Trailer", "upgrade", "Proxy-Authorization", "proxy-authenticate",
                "HTTP2-Settings", "Host", "expect"}) {
            assertThat(UpstreamRequests.hopByHop(name)).as(name).isTrue();
            assertThat(UpstreamRequests.hopByHop(AsciiString.of(name))).as(name).isTrue();
        }
        for (String name : new String[] {"", "t", "tes", "x-te", "Content-Length", "Upgrade-Insecure-Requests",
                "connections", "hostname", "x-forwarded-host", "Trailers"}) {
            assertThat(UpstreamRequests.hopByHop(name)).as(name).isFalse();
        }
    }

    @Test
    void envoysControlHeadersAreKnownInAnyCaseAndOtherEnvoyHeadersAreNot() {
        assertThat(UpstreamRequests.envoyControl("x-envoy-retry-on")).isTrue();
        assertThat(UpstreamRequests.envoyControl("X-Envoy-Max-Retries")).isTrue();
        assertThat(UpstreamRequests.envoyControl("x-envoy-upstream-rq-per-try-timeout-ms")).isTrue();
        assertThat(UpstreamRequests.envoyControl("x-envoy-attempt-count")).isFalse();
        assertThat(UpstreamRequests.envoyControl("x-envoy-")).isFalse();
        assertThat(UpstreamRequests.envoyControl("x-request-id")).isFalse();
    }

    @Test
    void theConnectionFieldsOptionsAreTheHeadersItNamesButCloseAndKeepAlive() {
        ConnectionOptions o = ConnectionOptions.of(List.of("close, X-Internal ,,x-debug", "Keep-Alive, TE"));
        assertThat(o.names()).containsExactlyInAnyOrder("x-internal", "x-debug", "te");
        assertThat(o.nominates("X-INTERNAL")).isTrue();
        assertThat(o.nominates(AsciiString.of("x-debug"))).isTrue();
        assertThat(o.nominates("x-internals")).isFalse();
        assertThat(o.nominates("x-forwarded-for")).isFalse();
        assertThat(ConnectionOptions.of(List.of("keep-alive"))).isSameAs(ConnectionOptions.NONE);
        assertThat(ConnectionOptions.of(List.of())).isSameAs(ConnectionOptions.NONE);
        assertThat(ConnectionOptions.NONE.nominates("anything")).isFalse();
        assertThat(ConnectionOptions.of(List.of("X-A, x-a", "x-A")).names()).containsExactly("x-a");
    }
}
