package io.kshift.telemetry;

import io.kshift.model.event.Schemas;
import io.kshift.model.event.TelemetryReport;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** Raw reports as proxies send them, for tests. */
public final class Reports {
    private static long lastStart;

    private Reports() {
    }

    /**
     * A 10 s window start for a test's reports, later than every earlier test's: windows close on report time per
     * partition, so a test must never send into a window an earlier test's reports already closed.
     */
    public static synchronized Instant freshWindow() {
        long aligned = (Instant.now().toEpochMilli() / 10_000 + 1) * 10_000;
        lastStart = Math.max(aligned, lastStart + 30_000);
        return Instant.ofEpochMilli(lastStart);
    }

    public static TelemetryReport.Entry tcp(String version, long connections, long bytesIn, long bytesOut, long... durationsMs) {
        return new TelemetryReport.Entry(version, version, "tcp:31400", "tcp", false, connections, connections, 0,
                bytesIn, bytesOut, 0, Map.of(), Map.of(), Map.of(), histogram(durationsMs), null, Map.of());
    }

    public static TelemetryReport.Entry http(String version, boolean shadow, Map<String, Long> codes, long... latenciesMs) {
        return new TelemetryReport.Entry(version, version, "http:31080", "http", shadow, 0, 0, 0, 0, 0, 0, Map.of(),
                codes, Map.of(), null, histogram(latenciesMs), Map.of());
    }

    public static TelemetryReport report(String node, Instant end, String service, List<TelemetryReport.Entry> entries) {
        return new TelemetryReport(Schemas.TELEMETRY_REPORT, node, end.minusSeconds(1), end, "default", service,
                entries, 0);
    }

    public static String histogram(long... values) {
        if (values.length == 0) {
            return null;
        }
        Histogram h = new Histogram(3_600_000L, 2);
        for (long v : values) {
            h.recordValue(v);
        }
        ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int length = h.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
    }
}
