package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The live page's session cookie never leaves the proxy towards a workload; other cookies do, in order. */
class SessionCookieTest {
    @Test
    void theSessionCookieIsDroppedAndTheOthersKept() {
        assertThat(UpstreamRequests.withoutSessionCookie("a=1; kshift-token=eyJ.x.y; b=2")).isEqualTo("a=1; b=2");
        assertThat(UpstreamRequests.withoutSessionCookie("kshift-token=eyJ.x.y")).isEmpty();
        assertThat(UpstreamRequests.withoutSessionCookie("my-kshift-token=1;kshift-token=2"))
                .isEqualTo("my-kshift-token=1");
    }
}
