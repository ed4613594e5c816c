package io.kshift.proxy.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What one interval of one key reports, and when it reports nothing. */
class ReportEntryTest {
    private static TrafficStats tcp() {
        return new TrafficStats(new TrafficKey("default", "tcp-echo", "v1", "v1", "tcp:31401", "tcp", false), () -> {
        }, ms -> {
        });
    }

    @Test
    void anIntervalOfOnlyRefusedConnectionsIsReportedNotDroppedAsIdle() {
        TrafficStats s = tcp();
        assertThat(TelemetryReporter.entry(s)).as("nothing happened").isNull();
        // maxConnections reached by another listener's connections: this listener refused one at accept.
        s.unserved("UO");
        var entry = TelemetryReporter.entry(s);
        assertThat(entry).isNotNull();
        assertThat(entry.responseFlags()).containsEntry("UO", 1L);
        assertThat(TelemetryReporter.entry(s)).as("and the next interval is idle again").isNull();
    }

    /**
     * Every flag an answer carries is counted, one entry each: a 200 cut by the stream idle timeout (SI) was a clean
     * 200 in telemetry, and so were 413 BL, 502 IH and the 503 NC of an unresolved destination's share.
     */
    @Test
    void everyFlagAnAnswerCarriesIsCounted() {
        TrafficStats s = new TrafficStats(new TrafficKey("default", "httpbin", "v1", "v1", "http:8080", "http", false),
                () -> {
                }, ms -> {
                });
        s.request(200, "SI", 5);
        s.request(413, "BL", 1);
        s.request(502, "IH", 1);
        s.request(503, "NC", 1);
        s.request(504, "DI,UT", 1);
        s.request(503, "URX", 1);
        var entry = TelemetryReporter.entry(s);
        assertThat(entry.responseFlags()).containsOnly(java.util.Map.entry("SI", 1L), java.util.Map.entry("BL", 1L),
                java.util.Map.entry("IH", 1L), java.util.Map.entry("NC", 1L), java.util.Map.entry("DI", 1L),
                java.util.Map.entry("UT", 1L), java.util.Map.entry("URX", 1L));
        assertThat(TrafficStats.carries("DI,UT", "UT")).isTrue();
        assertThat(TrafficStats.carries("DPE", "DI")).isFalse();
    }

    /** The Prometheus latency histogram has Istio's 19 buckets per key, not Micrometer's ~276. */
    @Test
    void theLatencyHistogramHasIstiosBuckets() {
        var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        Telemetry telemetry = new Telemetry(registry);
        telemetry.stats(new TrafficKey("default", "httpbin", "v1", "v1", "http:8080", "http", false))
                .request(200, null, 7);
        var summary = registry.find("istio_request_duration_milliseconds").summary();
        assertThat(summary.takeSnapshot().histogramCounts()).extracting(c -> c.bucket())
                .containsExactly(0.5, 1.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1_000.0, 2_500.0, 5_000.0,
                        10_000.0, 30_000.0, 60_000.0, 300_000.0, 600_000.0, 1_800_000.0, 3_600_000.0);
        assertThat(summary.count()).isEqualTo(1);
    }
}
