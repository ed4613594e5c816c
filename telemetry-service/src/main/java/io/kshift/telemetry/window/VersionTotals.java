package io.kshift.telemetry.window;

import io.kshift.model.event.TelemetryReport;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.HdrHistogram.Histogram;

/**
 * One version's running sums inside a window, over every node's reports: counts added, histograms merged (HdrHistogram
 * {@code add}, never averaged percentiles). Mutable, owned by one window's aggregate; stored as JSON.
 */
public final class VersionTotals {
    public long connectionsOpened;
    public long connectionsClosed;
    public long bytesFromClient;
    public long bytesFromUpstream;
    public long connectFailures;
    public Map<String, Long> connectFailureReasons = new TreeMap<>();
    public Map<String, Long> responseCodes = new TreeMap<>();
    public Map<String, Long> responseFlags = new TreeMap<>();
    public Map<String, Long> grpcStatuses = new TreeMap<>();
    public TreeSet<String> nodes = new TreeSet<>();
    /** Compressed, base64; null while empty. */
    public String latencyMs;
    public String connectionDurationMs;

    void add(String node, TelemetryReport.Entry e) {
        nodes.add(node);
        connectionsOpened += e.connectionsOpened();
        connectionsClosed += e.connectionsClosed();
        bytesFromClient += e.bytesFromClient();
        bytesFromUpstream += e.bytesFromUpstream();
        connectFailures += e.connectFailures();
        e.connectFailureReasons().forEach((reason, n) -> connectFailureReasons.merge(reason, n, Long::sum));
        e.requests().forEach((code, n) -> responseCodes.merge(code, n, Long::sum));
        e.responseFlags().forEach((flag, n) -> responseFlags.merge(flag, n, Long::sum));
        e.grpcStatuses().forEach((code, n) -> grpcStatuses.merge(code, n, Long::sum));
        latencyMs = merge(latencyMs, e.requestLatencyMs());
        connectionDurationMs = merge(connectionDurationMs, e.connectionDurationMs());
    }

    long requests() {
        return responseCodes.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Answers of 5xx. Status 0 is a request whose client left before any answer (flag {@code DC}, Istio's
     * {@code response_code="0"}): counted as a request, not as the destination's error, as Istio's success-rate
     * queries ({@code response_code!~"5.*"}) count it.
     */
    long errors() {
        long http = responseCodes.entrySet().stream().filter(c -> c.getKey().startsWith("5"))
                .mapToLong(Map.Entry::getValue).sum();
        // gRPC calls answer HTTP 200 and fail in grpc-status (the proxy's own answers to them too): a status that
        // maps to a 5xx (UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS) is an error.
        long grpc = grpcStatuses.entrySet().stream().filter(c -> serverError(c.getKey()))
                .mapToLong(Map.Entry::getValue).sum();
        return Math.min(requests(), http + grpc);
    }

    private static boolean serverError(String grpcCode) {
        try {
            return io.kshift.model.grpc.GrpcStatus.httpStatus(Integer.parseInt(grpcCode)) >= 500;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** What a version's share of traffic counts: requests, and connections that were not an HTTP upgrade's. */
    long units() {
        return requests() + connectionsOpened - responseCodes.getOrDefault("101", 0L);
    }

    /** Percentile of request latency, or of connection duration for TCP; null when nothing was recorded. */
    Double percentile(double p) {
        Histogram h = decode(latencyMs != null ? latencyMs : connectionDurationMs);
        return h == null || h.getTotalCount() == 0 ? null : (double) h.getValueAtPercentile(p);
    }

    static String merge(String into, String other) {
        if (other == null) {
            return into;
        }
        if (into == null) {
            return other;
        }
        Histogram sum = decode(into);
        sum.add(decode(other));
        return encode(sum);
    }

    static Histogram decode(String base64) {
        if (base64 == null) {
            return null;
        }
        try {
            Histogram h = new Histogram(2);
            h.add(Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0));
            return h;
        } catch (java.util.zip.DataFormatException e) {
            throw new IllegalArgumentException("not an HdrHistogram: " + e.getMessage(), e);
        }
    }

    static String encode(Histogram h) {
        ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int length = h.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
    }
}
