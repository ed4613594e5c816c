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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
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
    private final Map<TrafficKey, long[]> last = new HashMap<>();
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
        long[] now = {s.connectionsOpened.sum(), s.connectionsClosed.sum(), s.bytesFromClient.sum(),
                s.bytesFromUpstream.sum(), s.connectFailures.sum()};
        long[] before = last.getOrDefault(s.key(), new long[now.length]);
        long[] delta = new long[now.length];
        boolean any = false;
        for (int i = 0; i < now.length; i++) {
            delta[i] = now[i] - before[i];
            any |= delta[i] != 0;
        }
        last.put(s.key(), now);
        Map<String, Long> requests = deltas(s, "status", s.byStatus.length(), i -> s.byStatus.get(i));
        String[] flagNames = TrafficStats.flagNames();
        Map<String, Long> flags = new TreeMap<>();
        for (int i = 0; i < flagNames.length; i++) {
            long d = delta(s, "flag" + i, s.byFlag[i]);
            if (d != 0) {
                flags.put(flagNames[i], d);
            }
        }
        Map<String, Long> reasons = new TreeMap<>();
        for (int i = 0; i < TrafficStats.CONNECT_REASONS.length; i++) {
            long d = delta(s, "reason" + i, s.byReason[i]);
            if (d != 0) {
                reasons.put(TrafficStats.CONNECT_REASONS[i], d);
            }
        }
        Histogram durations = s.connectionDuration.getIntervalHistogram();
        Histogram latencies = s.requestLatency.getIntervalHistogram();
        long active = s.connectionsActive.get();
        if (!any && requests.isEmpty() && reasons.isEmpty() && active == 0 && durations.getTotalCount() == 0) {
            return null;
        }
        TrafficKey k = s.key();
        return new TelemetryReport.Entry(k.version(), k.subset(), k.listener(), k.protocol(), k.shadow(), delta[0],
                delta[1], active, delta[2], delta[3], delta[4], reasons, requests, flags, encode(durations),
                encode(latencies));
    }

    private final Map<String, Long> lastCounters = new HashMap<>();

    private Map<String, Long> deltas(TrafficStats s, String prefix, int n, java.util.function.IntFunction<LongAdder> at) {
        Map<String, Long> out = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            LongAdder adder = at.apply(i);
            if (adder != null) {
                long d = delta(s, prefix + i, adder);
                if (d != 0) {
                    out.put(String.valueOf(i), d);
                }
            }
        }
        return out;
    }

    private long delta(TrafficStats s, String name, LongAdder adder) {
        long now = adder.sum();
        Long before = lastCounters.put(s.key() + "|" + name, now);
        return now - (before == null ? 0 : before);
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
