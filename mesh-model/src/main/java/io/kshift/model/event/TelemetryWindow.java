package io.kshift.model.event;

import io.kshift.model.Lists;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code kshift.telemetry}, key {@code namespace/service}: one service's traffic over one tumbling window
 * ({@code window}: {@code 10s} or {@code 1m}), summed over the whole fleet, per version. {@code sharePercent} is each
 * version's share of the service's requests and new connections (mirrored copies excluded, reported apart with
 * {@code shadow: true}); latency percentiles come from the merged histograms, never from averaged percentiles.
 * {@code droppedReports}: per node that reported in the window and has lost any, how many of its reports never
 * reached the bus since it started (their {@code dropped}, as of its last report in the window) — traffic those
 * reports carried is missing from the figures; empty when nothing was lost.
 */
public record TelemetryWindow(String schema, String namespace, String service, String window, Instant start,
                              Instant end, boolean closed, List<VersionFigures> versions,
                              Map<String, Long> droppedReports) {
    public TelemetryWindow {
        schema = Schemas.TELEMETRY_WINDOW;
        versions = Lists.copy(versions);
        droppedReports = Lists.copy(droppedReports);
    }

    /** One version's figures in the window; {@code grpcStatuses}: gRPC answers by {@code grpc-status} code. */
    public record VersionFigures(String version, boolean shadow, long connectionsOpened, long connectionsClosed,
                                 long bytesFromClient, long bytesFromUpstream, long connectFailures,
                                 Map<String, Long> connectFailureReasons, long requests,
                                 long errors, double errorRate, double sharePercent, Double p50Ms, Double p90Ms,
                                 Double p99Ms, Map<String, Long> responseCodes, Map<String, Long> responseFlags,
                                 List<String> nodes, Map<String, Long> grpcStatuses) {
        public VersionFigures {
            grpcStatuses = Lists.copy(grpcStatuses);
            connectFailureReasons = Lists.copy(connectFailureReasons);
            responseCodes = Lists.copy(responseCodes);
            responseFlags = Lists.copy(responseFlags);
            nodes = Lists.copy(nodes);
        }
    }
}
