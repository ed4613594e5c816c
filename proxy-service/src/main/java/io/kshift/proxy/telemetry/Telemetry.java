package io.kshift.proxy.telemetry;

import io.kshift.model.registry.ResolvedDestination;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The node's metric catalogue: one {@link TrafficStats} per {@link TrafficKey}, made when traffic first reaches
 * the key (route tables hold {@link StatsRef}s, so config size costs nothing here), kept across generations so
 * counters stay cumulative, and retired by the reporter after {@code kshift.proxy.telemetry-idle-retire} without
 * traffic (Prometheus sees a counter that starts again, as after a restart). Every metric is
 * declared here, with Istio's names and labels where Istio has them ({@code istio_tcp_connections_opened_total},
 * {@code istio_tcp_sent_bytes_total}, {@code istio_requests_total}, {@code istio_request_duration_milliseconds},
 * labels {@code destination_service}, {@code destination_version}, {@code response_code}, ...), so Istio
 * dashboards work on {@code /q/metrics} unchanged.
 */
@ApplicationScoped
public class Telemetry {
    private final MeterRegistry registry;
    private final Map<TrafficKey, TrafficStats> stats = new ConcurrentHashMap<>();
    /** Retired since the reporter last looked: drained once more, for counts added while they were retired. */
    private final java.util.Queue<TrafficStats> retiring = new java.util.concurrent.ConcurrentLinkedQueue<>();

    public Telemetry(MeterRegistry registry) {
        this.registry = registry;
    }

    /** A catalogue with a registry of its own, for route tables built outside a node. */
    public static Telemetry detached() {
        return new Telemetry(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    }

    /** A handle on the stats of a destination as seen on a listener; nothing is made until traffic uses it. */
    public StatsRef ref(ResolvedDestination d, String listener, String protocol, boolean shadow) {
        return new StatsRef(this, new TrafficKey(d.namespace() == null ? "default" : d.namespace(), d.service(),
                d.version(), d.subset(), listener, protocol, shadow));
    }

    TrafficStats stats(TrafficKey key) {
        return stats.computeIfAbsent(key, this::create);
    }

    public Collection<TrafficStats> all() {
        return stats.values();
    }

    /**
     * Removes idle stats and their meters, unless a connection is open on them; their handles find fresh stats on next
     * use. All of it under the key's lock in the catalogue: fresh stats for the key (whose meters, of the same names
     * and tags, the registry would hand back) wait until these are gone, and so does a status meter being added to
     * these. Reporter thread only.
     */
    void retire(TrafficStats s) {
        stats.computeIfPresent(s.key(), (key, current) -> {
            if (current != s || !s.tryRetire()) {
                return current;
            }
            for (io.micrometer.core.instrument.Meter m : s.meters) {
                try {
                    registry.remove(m);
                } catch (RuntimeException e) {
                    // A listener of the registry failed: the stats go all the same, or their key would stay retiring.
                }
            }
            retiring.add(s);
            return null;
        });
    }

    /** The stats retired since the last call: their final counts still belong in a report. */
    java.util.List<TrafficStats> takeRetired() {
        java.util.List<TrafficStats> out = new java.util.ArrayList<>();
        for (TrafficStats s; (s = retiring.poll()) != null; ) {
            out.add(s);
        }
        return out;
    }

    /**
     * Istio's buckets for {@code istio_request_duration_milliseconds}: 19 series per key, where Micrometer's
     * percentile histogram made ~276 (1 ms to its unbounded maximum) for every destination and version.
     */
    static final double[] DURATION_BUCKETS_MS = {0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000,
            30_000, 60_000, 300_000, 600_000, 1_800_000, 3_600_000};

    private TrafficStats create(TrafficKey key) {
        Tags tags = tags(key);
        DistributionSummary latency = key.connectionOriented() ? null
                : DistributionSummary.builder("istio_request_duration_milliseconds").tags(tags)
                .baseUnit("milliseconds").serviceLevelObjectives(DURATION_BUCKETS_MS).register(registry);
        TrafficStats s = new TrafficStats(key, () -> registerStatuses(key), ms -> {
            if (latency != null) {
                latency.record(ms);
            }
        });
        if (latency != null) {
            s.meters.add(latency);
        }
        if (key.connectionOriented()) {
            s.meters.add(counter("istio_tcp_connections_opened", tags, s.connectionsOpened));
            s.meters.add(counter("istio_tcp_connections_closed", tags, s.connectionsClosed));
            s.meters.add(counter("istio_tcp_received_bytes", tags, s.bytesFromClient));
            s.meters.add(counter("istio_tcp_sent_bytes", tags, s.bytesFromUpstream));
            s.meters.add(Gauge.builder("kshift_tcp_connections_active", s, TrafficStats::activeConnections)
                    .tags(tags).register(registry));
        }
        for (int i = 0; i < TrafficStats.CONNECT_REASONS.length; i++) {
            s.meters.add(counter("kshift_connect_failures", tags.and("reason", TrafficStats.CONNECT_REASONS[i]),
                    s.byReason[i]));
        }
        String[] flags = TrafficStats.flagNames();
        for (int i = 0; i < flags.length; i++) {
            s.meters.add(counter("kshift_response_flags", tags.and("response_flags", flags[i]), s.byFlag[i]));
        }
        return s;
    }

    /** Under the key's lock, as retirement: a meter is never added to stats being retired. */
    private void registerStatuses(TrafficKey key) {
        stats.computeIfPresent(key, (k, s) -> {
            for (int code = 0; code < s.byStatus.length(); code++) {
                LongAdder adder = s.byStatus.get(code);
                if (adder != null && s.registeredCodes.add(code)) {
                    s.meters.add(counter("istio_requests", tags(key).and("response_code", String.valueOf(code)),
                            adder));
                }
            }
            return s;
        });
    }

    private io.micrometer.core.instrument.Meter counter(String name, Tags tags, LongAdder adder) {
        return FunctionCounter.builder(name, adder, LongAdder::doubleValue).tags(tags).register(registry);
    }

    private static Tags tags(TrafficKey k) {
        String name = k.service().contains(".") ? k.service().substring(0, k.service().indexOf('.')) : k.service();
        return Tags.of("reporter", "source", "destination_service", k.service(), "destination_service_name", name,
                "destination_service_namespace", k.namespace(), "destination_version", k.version(),
                "destination_subset", k.subset() == null ? "" : k.subset(), "request_protocol", k.protocol(),
                "kshift_listener", k.listener(), "kshift_shadow", String.valueOf(k.shadow()));
    }
}
