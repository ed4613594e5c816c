package io.kshift.proxy.telemetry;

import io.kshift.model.event.EventCodec;
import io.kshift.model.event.Schemas;
import io.kshift.model.event.TelemetryReport;
import io.kshift.proxy.config.NodeIdentity;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.reactive.messaging.kafka.Record;
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
 * thread of its own, one report after the other (a slow one delays the next, never overlaps it), and only reads
 * the data path's counters; the emitter's buffer is bounded, so with Kafka away reports are dropped and counted
 * ({@code dropped} in the next report that gets through), never waited for. Its cost follows traffic: only keys
 * that saw traffic have stats, and a key idle for {@code kshift.proxy.telemetry-idle-retire} (default 5 min,
 * longer than the 1 min window, so every window a service had traffic in closes) is retired.
 */
@ApplicationScoped
public class TelemetryReporter {
    private final Emitter<Record<String, String>> emitter;
    private final Telemetry telemetry;
    private final NodeIdentity node;
    private final long intervalMillis;
    private final AtomicLong dropped = new AtomicLong();
    private final int idleReportsBeforeRetire;
    private Instant intervalStart = Instant.now();
    private java.util.concurrent.ScheduledExecutorService thread;

    public TelemetryReporter(@Channel("telemetry") @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 256)
                             Emitter<Record<String, String>> emitter, Telemetry telemetry, NodeIdentity node,
                             @ConfigProperty(name = "kshift.proxy.telemetry-interval-ms", defaultValue = "1000")
                             long intervalMillis,
                             @ConfigProperty(name = "kshift.proxy.telemetry-idle-retire", defaultValue = "5m")
                             java.time.Duration idleRetire,
                             io.micrometer.core.instrument.MeterRegistry registry) {
        this.emitter = emitter;
        io.micrometer.core.instrument.FunctionCounter.builder("kshift_telemetry_reports_dropped", dropped,
                AtomicLong::doubleValue).description("telemetry reports that never reached the bus").register(registry);
        this.telemetry = telemetry;
        this.node = node;
        this.intervalMillis = intervalMillis;
        this.idleReportsBeforeRetire = (int) Math.max(1, idleRetire.toMillis() / intervalMillis);
    }

    void start(@Observes StartupEvent event) {
        thread = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kshift-telemetry-reporter");
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(this::reportQuietly, intervalMillis, intervalMillis,
                java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /**
     * The last interval's report goes out before the producer closes: it holds what the shutdown drain's last
     * connections and requests did (the drain observes the shutdown first, at priority 1). Waited for up to 2 s,
     * as the status tombstone is.
     */
    void stop(@Observes io.quarkus.runtime.ShutdownEvent event) {
        if (thread == null) {
            return;
        }
        thread.shutdownNow();
        try {
            thread.awaitTermination(2, java.util.concurrent.TimeUnit.SECONDS);
            List<java.util.concurrent.CompletableFuture<Void>> acks;
            synchronized (this) {
                Instant end = Instant.now();
                acks = send(build(telemetry, intervalStart, end));
                intervalStart = end;
            }
            java.util.concurrent.CompletableFuture.allOf(acks.toArray(java.util.concurrent.CompletableFuture[]::new))
                    .get(2, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
            org.jboss.logging.Logger.getLogger(TelemetryReporter.class).debugf("final telemetry report not sent: %s", e);
        }
    }

    private void reportQuietly() {
        try {
            report();
        } catch (RuntimeException e) {
            // A failed report must not cancel the schedule (an executor drops a task that throws).
            org.jboss.logging.Logger.getLogger(TelemetryReporter.class).warnf(e, "telemetry report failed");
        }
    }

    /** Builds and sends this interval's reports; returns them (for tests and the node view). */
    public synchronized List<TelemetryReport> report() {
        Instant end = Instant.now();
        List<TelemetryReport> reports = build(telemetry, intervalStart, end);
        send(reports);
        intervalStart = end;
        return reports;
    }

    /** Sends {@code reports}; returns their acknowledgements (each completes normally, sent or counted dropped). */
    private List<java.util.concurrent.CompletableFuture<Void>> send(List<TelemetryReport> reports) {
        List<java.util.concurrent.CompletableFuture<Void>> acks = new ArrayList<>();
        for (TelemetryReport r : reports) {
            try {
                acks.add(emitter.send(Record.of(r.namespace() + "/" + r.service(), EventCodec.encode(r)))
                        .handle((ok, failure) -> {
                            if (failure != null) {
                                dropped.incrementAndGet();
                            }
                            return (Void) null;
                        }).toCompletableFuture());
            } catch (RuntimeException full) {
                dropped.incrementAndGet();
            }
        }
        return acks;
    }

    /**
     * For the start-up warm-up: builds and encodes {@code stats}' reports of the last interval as {@link #report}
     * does, and sends nothing; returns how many. Until a report is built, the data path's histogram recorders have
     * never changed phase, and the first real report sent every compiled method that records a latency or a
     * connection's duration back to the interpreter, under the first load (a branch in HdrHistogram's
     * {@code writerCriticalSectionExit} inlined into the TCP session's close and the HTTP exchange's end).
     */
    public int rehearse(Telemetry stats) {
        if (stats == telemetry) { // it would take the node's deltas from its next report
            throw new IllegalArgumentException("the node's own stats are reported, not rehearsed");
        }
        Instant end = Instant.now();
        List<TelemetryReport> reports = build(stats, end.minusMillis(intervalMillis), end);
        reports.forEach(EventCodec::encode);
        return reports.size();
    }

    private List<TelemetryReport> build(Telemetry stats, Instant start, Instant end) {
        Map<String, List<TelemetryReport.Entry>> byService = new TreeMap<>();
        List<TrafficStats> retiredBefore = stats.takeRetired();
        for (TrafficStats s : stats.all()) {
            // Every known service is reported, idle ones with no entries: the aggregator's windows close on the
            // reports' time, so that time must go on while traffic pauses.
            List<TelemetryReport.Entry> entries = byService.computeIfAbsent(s.key().namespace() + "/"
                    + s.key().service(), k -> new ArrayList<>());
            TelemetryReport.Entry e = entry(s);
            if (e != null) {
                entries.add(e);
                s.idleReports = 0;
            } else if (++s.idleReports >= idleReportsBeforeRetire) {
                stats.retire(s); // not while a connection is open on them
            }
        }
        for (TrafficStats s : retiredBefore) {
            // Counts a connection added between its last report and the moment its handle saw the retirement.
            TelemetryReport.Entry e = entry(s);
            if (e != null) {
                byService.computeIfAbsent(s.key().namespace() + "/" + s.key().service(), k -> new ArrayList<>())
                        .add(e);
            }
        }
        List<TelemetryReport> reports = new ArrayList<>();
        byService.forEach((key, entries) -> {
            String[] ns = key.split("/", 2);
            reports.add(new TelemetryReport(Schemas.TELEMETRY_REPORT, node.nodeId(), start, end, ns[0], ns[1],
                    entries, dropped.get()));
        });
        return reports;
    }

    public long dropped() {
        return dropped.get();
    }

    /** The interval's deltas of one key, or null when nothing happened and nothing is open. */
    static TelemetryReport.Entry entry(TrafficStats s) {
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
        Map<String, Long> grpc = new TreeMap<>();
        for (int code = 0; code < s.byGrpcStatus.length(); code++) {
            Counter c = s.byGrpcStatus.get(code);
            putIfAny(grpc, String.valueOf(code), c == null ? 0 : c.takeDelta());
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
        Histogram durations = null;
        if (s.connectionDuration != null) {
            durations = s.recycledDurations = s.connectionDuration.getIntervalHistogram(s.recycledDurations);
        }
        Histogram latencies = null;
        if (s.requestLatency != null) {
            latencies = s.recycledLatencies = s.requestLatency.getIntervalHistogram(s.recycledLatencies);
        }
        long active = s.activeConnections();
        // Flags count on their own too: a connection refused at accept (UO, maxConnections reached by another
        // listener's connections) is counted nowhere else, and an interval of only those is not idle.
        boolean idle = opened == 0 && closed == 0 && fromClient == 0 && fromUpstream == 0 && failures == 0
                && requests.isEmpty() && flags.isEmpty() && grpc.isEmpty() && active == 0
                && (durations == null || durations.getTotalCount() == 0);
        if (idle) {
            return null;
        }
        TrafficKey k = s.key();
        return new TelemetryReport.Entry(k.version(), k.subset(), k.listener(), k.protocol(), k.shadow(), opened,
                closed, active, fromClient, fromUpstream, failures, reasons, requests, flags, encode(durations),
                encode(latencies), grpc);
    }

    private static void putIfAny(Map<String, Long> out, String name, long delta) {
        if (delta != 0) {
            out.put(name, delta);
        }
    }

    private static String encode(Histogram h) {
        if (h == null || h.getTotalCount() == 0) {
            return null;
        }
        ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int length = h.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
    }
}
