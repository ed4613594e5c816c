package io.kshift.local.proxybench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The benchmark's own backends and load shapes against each other on real loopback sockets. */
class LoadTest {
    @Test
    void newConnectionsEachGetOneLineAnswered() throws Exception {
        try (EchoBackend one = new EchoBackend(EchoBackend.Mode.LINE, "one")) {
            Load.Result r = Load.conn(one.port(), 300, 10, 2);
            assertThat(r.ops()).isEqualTo(300);
            assertThat(r.one()).isEqualTo(300);
            assertThat(r.errors()).isZero();
            assertThat(r.latency().count()).isEqualTo(300);
        }
    }

    @Test
    void pingPongAndHttpKeepAliveCountEveryAnswer() throws Exception {
        try (EchoBackend two = new EchoBackend(EchoBackend.Mode.LINE, "two");
             EchoBackend web = new EchoBackend(EchoBackend.Mode.HTTP, "one")) {
            Load.Result rr = Load.rr(two.port(), 4, 0.5);
            assertThat(rr.ops()).isPositive();
            assertThat(rr.two()).isEqualTo(4); // the split of rr is counted per connection
            Load.Result http = Load.http(web.port(), 4, 0.5);
            assertThat(http.ops()).isPositive();
            assertThat(http.one()).isEqualTo(http.ops());
            assertThat(http.errors()).isZero();
        }
    }

    @Test
    void streamCountsEchoedBytes() throws Exception {
        try (EchoBackend raw = new EchoBackend(EchoBackend.Mode.RAW, "raw")) {
            Load.Result r = Load.stream(raw.port(), 2, 0.5);
            assertThat(r.bytes()).isGreaterThan(65536);
            assertThat(r.rate()).isPositive();
        }
    }

    @Test
    void latencyQuantilesAreWithinABucket() {
        Latency l = new Latency();
        for (int v = 1; v <= 10_000; v++) {
            l.record(v);
        }
        assertThat(l.quantile(0.5)).isCloseTo(5000, within(5000 * 0.04));
        assertThat(l.quantile(0.99)).isCloseTo(9900, within(9900 * 0.04));
        assertThat(Latency.index(31)).isEqualTo(31);
        assertThat(Latency.index(32)).isEqualTo(32);
        assertThat(Latency.value(Latency.index(1_000_000))).isCloseTo(1_000_000, within(1_000_000 * 0.04));
    }
}
