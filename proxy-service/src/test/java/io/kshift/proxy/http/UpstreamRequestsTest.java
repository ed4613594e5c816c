package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.AsciiString;
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
}
