package io.kshift.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProxyLoopsTest {
    @Test
    void proxiesShareTheCoresOfTheirBox() {
        assertThat(Fleet.proxyLoops(2, 2, null)).isEqualTo("-Dkshift.proxy.acceptors=1");
        assertThat(Fleet.proxyLoops(2, 8, null)).isEqualTo("-Dkshift.proxy.acceptors=4");
        assertThat(Fleet.proxyLoops(2, 3, null)).isEqualTo("-Dkshift.proxy.acceptors=1");
    }

    @Test
    void everyProxyKeepsAtLeastOneLoop() {
        assertThat(Fleet.proxyLoops(3, 2, null)).isEqualTo("-Dkshift.proxy.acceptors=1");
        assertThat(Fleet.proxyLoops(0, 1, "")).isEqualTo("-Dkshift.proxy.acceptors=1");
    }

    @Test
    void theOperatorsSettingWins() {
        assertThat(Fleet.proxyLoops(2, 2, " 2 ")).isEqualTo("-Dkshift.proxy.acceptors=2");
    }
}
