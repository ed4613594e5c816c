package io.kshift.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.event.TelemetryWindow;
import io.kshift.telemetry.window.WindowAggregate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** Summing every node's reports: counts added, shares of the fleet's traffic, histograms merged, mirrors apart. */
class WindowAggregateTest {
    static final Instant T = Instant.parse("2026-11-24T10:00:05Z");

    @Test
    void sumsNodesAndComputesSharesFromTheWholeFleet() {
        WindowAggregate agg = new WindowAggregate()
                .add(Reports.report("proxy-1", T, "tcp-echo", List.of(Reports.tcp("v1", 40, 400, 440, 5, 5, 5),
                        Reports.tcp("v2", 10, 100, 110, 50))))
                .add(Reports.report("proxy-2", T, "tcp-echo", List.of(Reports.tcp("v1", 40, 400, 440, 5),
                        Reports.tcp("v2", 10, 100, 110, 50, 50))));
        TelemetryWindow w = agg.toWindow("10s", T, T.plusSeconds(10), true);
        assertThat(w.versions()).extracting(TelemetryWindow.VersionFigures::version).containsExactly("v1", "v2");
        TelemetryWindow.VersionFigures v1 = w.versions().get(0);
        TelemetryWindow.VersionFigures v2 = w.versions().get(1);
        assertThat(v1.connectionsOpened()).isEqualTo(80);
        assertThat(v1.bytesFromClient()).isEqualTo(800);
        assertThat(v1.sharePercent()).isEqualTo(80.0);
        assertThat(v2.sharePercent()).isEqualTo(20.0);
        assertThat(v1.nodes()).containsExactly("proxy-1", "proxy-2");
        assertThat(v2.p50Ms()).as("merged, not averaged").isCloseTo(50.0, Offset.offset(1.0));
    }

    @Test
    void mirroredRequestsAreReportedApartAndTakeNoShare() {
        WindowAggregate agg = new WindowAggregate().add(Reports.report("proxy-1", T, "httpbin", List.of(
                Reports.http("v1", false, Map.of("200", 9L, "503", 1L), 10, 10, 10, 10, 10, 10, 10, 10, 10, 900),
                Reports.http("v2", true, Map.of("200", 10L), 20))));
        TelemetryWindow w = agg.toWindow("10s", T, T.plusSeconds(10), true);
        TelemetryWindow.VersionFigures v1 = w.versions().stream().filter(v -> !v.shadow()).findFirst().orElseThrow();
        TelemetryWindow.VersionFigures shadow = w.versions().stream().filter(TelemetryWindow.VersionFigures::shadow)
                .findFirst().orElseThrow();
        assertThat(v1.sharePercent()).isEqualTo(100.0);
        assertThat(v1.errorRate()).isEqualTo(0.1);
        assertThat(v1.p99Ms()).isCloseTo(900.0, Offset.offset(10.0));
        assertThat(shadow.version()).isEqualTo("v2");
        assertThat(shadow.sharePercent()).isZero();
        assertThat(shadow.requests()).isEqualTo(10);
    }

    @Test
    void anUpgradeWeighsOnceAndAClientThatLeftIsNoError() {
        // v1: 3 requests answered and one whose client left before any answer; v2: one WebSocket, which the proxy
        // counts as a 101 and as the tunnel's connection.
        var upgrade = new io.kshift.model.event.TelemetryReport.Entry("v2", "v2", "http:31080", "http", false, 1, 0, 1,
                0, 0, 0, Map.of(), Map.of("101", 1L), Map.of(), null, Reports.histogram(3), Map.of());
        WindowAggregate agg = new WindowAggregate().add(Reports.report("proxy-1", T, "httpbin", List.of(
                Reports.http("v1", false, Map.of("200", 3L, "0", 1L), 10, 10, 10, 10), upgrade)));
        TelemetryWindow w = agg.toWindow("10s", T, T.plusSeconds(10), true);
        TelemetryWindow.VersionFigures v1 = w.versions().get(0);
        TelemetryWindow.VersionFigures v2 = w.versions().get(1);
        assertThat(v1.errorRate()).as("status 0: the client left, not the destination's error").isZero();
        assertThat(v1.sharePercent()).isEqualTo(80.0);
        assertThat(v2.sharePercent()).as("one upgrade, one unit").isEqualTo(20.0);
    }

    /**
     * gRPC calls answer HTTP 200 and fail in grpc-status: those that map to a 5xx (UNAVAILABLE, INTERNAL, ...) count
     * as errors, a client's own (NOT_FOUND, PERMISSION_DENIED) do not.
     */
    @Test
    void grpcCallsFailingWithServerStatusesAreErrors() {
        var grpc = new io.kshift.model.event.TelemetryReport.Entry("v1", "v1", "http:31080", "http", false, 0, 0, 0,
                0, 0, 0, Map.of(), Map.of("200", 10L), Map.of(), null, Reports.histogram(3),
                Map.of("0", 6L, "14", 2L, "13", 1L, "5", 1L));
        TelemetryWindow w = new WindowAggregate().add(Reports.report("proxy-1", T, "echo", List.of(grpc)))
                .toWindow("10s", T, T.plusSeconds(10), true);
        assertThat(w.versions().get(0).errorRate()).isEqualTo(0.3);
    }

    @Test
    void aWindowSaysWhichNodesLostReportsAndHowMany() {
        var lost = Reports.report("proxy-1", T, "tcp-echo", List.of(Reports.tcp("v1", 1, 10, 11, 5)));
        WindowAggregate agg = new WindowAggregate()
                .add(withDropped(lost, 7))
                .add(withDropped(lost, 9))
                .add(withDropped(lost, 8)) // reports of one node may arrive out of order: the highest count wins
                .add(Reports.report("proxy-2", T, "tcp-echo", List.of(Reports.tcp("v1", 1, 10, 11, 5))));
        assertThat(agg.toWindow("10s", T, T.plusSeconds(10), true).droppedReports())
                .as("proxy-2 lost none, so it is not listed").containsExactly(Map.entry("proxy-1", 9L));
        assertThat(new WindowAggregate().add(lost).toWindow("10s", T, T.plusSeconds(10), true).droppedReports())
                .isEmpty();
    }

    private static io.kshift.model.event.TelemetryReport withDropped(io.kshift.model.event.TelemetryReport r, long n) {
        return new io.kshift.model.event.TelemetryReport(r.schema(), r.nodeId(), r.intervalStart(), r.intervalEnd(),
                r.namespace(), r.service(), r.entries(), n);
    }
}
