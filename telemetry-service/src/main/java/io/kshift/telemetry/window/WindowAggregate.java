package io.kshift.telemetry.window;

import io.kshift.model.event.Schemas;
import io.kshift.model.event.TelemetryReport;
import io.kshift.model.event.TelemetryWindow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A service's window being summed: per version (mirrored copies apart), every node's reports added. Pure: the
 * Kafka Streams topology folds reports into it and turns it into the {@link TelemetryWindow} it publishes.
 */
public final class WindowAggregate {
    /** Key {@code version} or {@code version|shadow}. */
    public Map<String, VersionTotals> versions = new TreeMap<>();
    public String namespace;
    public String service;
    /** Node → its reports lost before this window (cumulative, the highest any of its reports here said). */
    public Map<String, Long> droppedReports = new TreeMap<>();

    public WindowAggregate add(TelemetryReport report) {
        namespace = report.namespace();
        service = report.service();
        if (report.dropped() > 0) {
            droppedReports.merge(report.nodeId(), report.dropped(), Math::max);
        }
        for (TelemetryReport.Entry e : report.entries()) {
            String key = e.shadow() ? e.version() + "|shadow" : e.version();
            versions.computeIfAbsent(key, k -> new VersionTotals()).add(report.nodeId(), e);
        }
        return this;
    }

    public TelemetryWindow toWindow(String window, Instant start, Instant end, boolean closed) {
        long total = versions.entrySet().stream().filter(v -> !v.getKey().endsWith("|shadow"))
                .mapToLong(v -> v.getValue().units()).sum();
        List<TelemetryWindow.VersionFigures> figures = new ArrayList<>();
        versions.forEach((key, t) -> {
            boolean shadow = key.endsWith("|shadow");
            long units = t.units();
            long requests = t.requests();
            figures.add(new TelemetryWindow.VersionFigures(shadow ? key.substring(0, key.length() - 7) : key, shadow,
                    t.connectionsOpened, t.connectionsClosed, t.bytesFromClient, t.bytesFromUpstream, t.connectFailures,
                    new TreeMap<>(t.connectFailureReasons), requests, t.errors(), requests == 0 ? 0 : (double) t.errors() / requests,
                    shadow || total == 0 ? 0 : 100.0 * units / total, t.percentile(50), t.percentile(90),
                    t.percentile(99), new TreeMap<>(t.responseCodes), new TreeMap<>(t.responseFlags),
                    List.copyOf(t.nodes), new TreeMap<>(t.grpcStatuses)));
        });
        return new TelemetryWindow(Schemas.TELEMETRY_WINDOW, namespace, service, window, start, end, closed, figures,
                new TreeMap<>(droppedReports));
    }
}
