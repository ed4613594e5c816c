package io.kshift.model.event;

import io.kshift.model.Lists;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code kshift.telemetry.raw}, key {@code namespace/service}: what one proxy node saw of one destination service in
 * one interval (about a second), per version. Counts are the interval's (not cumulative), except
 * {@code connectionsActive}, a gauge. Histograms are HdrHistogram's compressed encoding in base64 (milliseconds), so
 * an aggregator merges them instead of averaging percentiles. {@code dropped} counts this node's earlier reports
 * that never reached the bus.
 */
public record TelemetryReport(String schema, String nodeId, Instant intervalStart, Instant intervalEnd,
                              String namespace, String service, List<Entry> entries, long dropped) {
    public TelemetryReport {
        schema = Schemas.TELEMETRY_REPORT;
        entries = Lists.copy(entries);
    }

    /**
     * One version of the service on one listener; {@code shadow}: mirrored copies, counted apart;
     * {@code grpcStatuses}: gRPC answers by their {@code grpc-status} code (absent or empty in reports of nodes
     * that predate it).
     */
    public record Entry(String version, String subset, String listener, String protocol, boolean shadow,
                        long connectionsOpened, long connectionsClosed, long connectionsActive, long bytesFromClient,
                        long bytesFromUpstream, long connectFailures, Map<String, Long> connectFailureReasons,
                        Map<String, Long> requests, Map<String, Long> responseFlags, String connectionDurationMs,
                        String requestLatencyMs, Map<String, Long> grpcStatuses) {
        public Entry {
            grpcStatuses = Lists.copy(grpcStatuses);
            connectFailureReasons = Lists.copy(connectFailureReasons);
            requests = Lists.copy(requests);
            responseFlags = Lists.copy(responseFlags);
        }
    }
}
