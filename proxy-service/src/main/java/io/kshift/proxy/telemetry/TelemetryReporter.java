package io.kshift.proxy.telemetry;

import io.kshift.model.event.EventCodec;
import io.kshift.model.event.Schemas;
import io.kshift.model.event.TelemetryReport;
import io.kshift.proxy.config.NodeIdentity;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.reactive.messaging.kafka.Record;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/**
 * Channel {@code telemetry} → topic {@code kshift.telemetry.raw}, key {@code namespace/service}: every interval
 * (default 1 s), per destination service, what this node saw of each version since the last report. Runs on a
 * worker thread and only reads the data path's counters; the emitter's buffer is bounded, so with Kafka away
 * reports are dropped and counted ({@code dropped} in the next report that gets through), never waited for.
 */
@ApplicationScoped
public class TelemetryReporter {
    private final Emitter<Record<String, String>> emitter;
    private final Telemetry telemetry;
    private final NodeIdentity node;
    private final Vertx vertx;
    private final long intervalMillis;
    private final AtomicLong dropped = new AtomicLong();
    private Instant intervalStart = Instant.now();

    public TelemetryReporter(@Channel("telemetry") @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 256)
                             Emitter<Record<String, String>> emitter, Telemetry telemetry, NodeIdentity node, Vertx vertx,
                             @ConfigProperty(name = "kshift.proxy.telemetry-interval-ms", defaultValue = "1000")
                             long intervalMillis) {
        this.emitter = emitter;
        this.telemetry = telemetry;
        this.node = node;
        this.vertx = vertx;
        this.intervalMillis = intervalMillis;
    }

    void start(@Observes StartupEvent event) {
        vertx.setPeriodic(intervalMillis, id -> vertx.executeBlocking(() -> {
            report();
            return null;
        }, false));
    }

    /** Builds and sends this interval's reports; returns them (for tests and the node view). */
    public synchronized List<TelemetryReport> report() {
        Instant end = Instant.now();
        Map<String, List<TelemetryReport.Entry>> byService = new TreeMap<>();
        for (TrafficStats s : telemetry.all()) {
            // Every known service is reported, idle ones with no entries: the aggregator's windows close on the
            // reports' time, so that time must go on while traffic pauses.
            List<TelemetryReport.Entry> entries = byService.computeIfAbsent(s.key().namespace() + "/"
                    + s.key().service(), k -> new ArrayList<>());
            TelemetryReport.Entry e = entry(s);
            if (e != null) {
                entries.add(e);
            }
        }
        List<TelemetryReport> reports = new ArrayList<>();
        byService.forEach((key, entries) -> {
            String[] ns = key.split("/", 2);
            TelemetryReport r = new TelemetryReport(Schemas.TELEMETRY_REPORT, node.nodeId(), intervalStart, end, ns[0],
                    ns[1], entries, dropped.get());
            reports.add(r);
            try {
                emitter.send(Record.of(key, EventCodec.encode(r))).whenComplete((ok, failure) -> {
                    if (failure != null) {
                        dropped.incrementAndGet();
                    }
                });
            } catch (RuntimeException full) {
                dropped.incrementAndGet();
            }
        });
        intervalStart = end;
        return reports;
    }

    public long dropped() {
        return dropped.get();
    }

    /** The interval's deltas of one key, or null when nothing happened and nothing is open. */
    private TelemetryReport.Entry entry(TrafficStats s) {
        long opened = s.connectionsOpened.takeDelta();
        long closed = s.connectionsClosed.takeDelta();
        long fromClient = s.bytesFromClient.takeDelta();
        long fromUpstream = s.bytesFromUpstream.takeDelta();
        long failures = s.connectFailures.takeDelta();
        Map<String, Long> requests = new TreeMap<>();
        for (int code = 0; code < s.byStatus.length(); code++) {
            Counter c = s.byStatus.get(code);
            putIfAny(requests, String.valueOf(code), c == null ? 0 : c.takeDelta());
        }
        Map<String, Long> flags = new TreeMap<>();
        String[] flagNames = TrafficStats.flagNames();
        for (int i = 0; i < flagNames.length; i++) {
            putIfAny(flags, flagNames[i], s.byFlag[i].takeDelta());
        }
        Map<String, Long> reasons = new TreeMap<>();
        for (int i = 0; i < TrafficStats.CONNECT_REASONS.length; i++) {
            putIfAny(reasons, TrafficStats.CONNECT_REASONS[i], s.byReason[i].takeDelta());
        }
        Histogram durations = s.connectionDuration.getIntervalHistogram();
        Histogram latencies = s.requestLatency.getIntervalHistogram();
        long active = s.connectionsActive.get();
        boolean idle = opened == 0 && closed == 0 && fromClient == 0 && fromUpstream == 0 && failures == 0
                && requests.isEmpty() && active == 0 && durations.getTotalCount() == 0;
        if (idle) {
            return null;
        }
        TrafficKey k = s.key();
        return new TelemetryReport.Entry(k.version(), k.subset(), k.listener(), k.protocol(), k.shadow(), opened,
                closed, active, fromClient, fromUpstream, failures, reasons, requests, flags, encode(durations),
                encode(latencies));
    }

    private static void putIfAny(Map<String, Long> out, String name, long delta) {
        if (delta != 0) {
            out.put(name, delta);
        }
    }

    private static String encode(Histogram h) {
        if (h.getTotalCount() == 0) {
            return null;
        }
        ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int length = h.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
    }
}
