package io.kshift.config.history;

import io.kshift.model.event.EventCodec;
import io.kshift.model.event.GenerationSummary;
import io.kshift.model.event.SnapshotDecoder;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.mesh.MeshConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Channel {@code history} ← topic {@code kshift.config-history} (read from the start on every boot): per accepted
 * generation, a summary and the offset of its record (a checkpoint or a delta on one). The summary comes from the
 * record's {@value GenerationSummary#HEADER} header ({@link SummaryDeserializer} never materialises the value);
 * records written before that header existed (whole snapshots) are decoded and diffed. Configs stay in Kafka and
 * are rebuilt on demand ({@link SnapshotFetcher}), so memory and start-up time do not grow with config size times
 * history length.
 */
@ApplicationScoped
public class GenerationHistory {
    private static final Logger LOG = Logger.getLogger(GenerationHistory.class);

    /**
     * How long the topic keeps a generation ({@code retention.ms} of {@code kshift.config-history}): one older is
     * no longer listed (it could not be rebuilt), and not kept here either, or this index grew with every change.
     */
    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "kshift.history.retention", defaultValue = "720h")
    java.time.Duration retention = java.time.Duration.ofDays(30);
    /** A bound whatever the rate of changes (a registry adapter in a busy cluster makes thousands a day). */
    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "kshift.history.max-generations",
            defaultValue = "100000")
    int maxGenerations = 100_000;
    java.time.Clock clock = java.time.Clock.systemUTC();

    private final NavigableMap<Long, GenerationSummary> summaries = new ConcurrentSkipListMap<>();
    private final NavigableMap<Long, Long> offsets = new ConcurrentSkipListMap<>();
    /** The generations whose record is a whole snapshot: the checkpoints later deltas are rebuilt on. */
    private final java.util.NavigableSet<Long> checkpoints = new java.util.concurrent.ConcurrentSkipListSet<>();
    private MeshConfig previous = MeshConfig.empty();

    private final SnapshotDecoder decoder = new SnapshotDecoder();

    private final io.kshift.config.bus.ReadThrough readThrough = new io.kshift.config.bus.ReadThrough();

    @Incoming("history")
    public synchronized void onSnapshot(ConsumerRecord<String, String> record) {
        try {
            read(record);
        } finally {
            readThrough.read(record.partition(), record.offset());
        }
    }

    private void read(ConsumerRecord<String, String> record) {
        GenerationSummary summary;
        try {
            var header = record.headers().lastHeader(GenerationSummary.HEADER);
            summary = header != null && header.value() != null
                    ? EventCodec.decode(record.value(), GenerationSummary.class) : fromSnapshot(record.value());
        } catch (RuntimeException e) {
            LOG.warnf("ignoring an unreadable history record at offset %d: %s", record.offset(), e.getMessage());
            return;
        }
        summaries.put(summary.generation(), summary);
        offsets.put(summary.generation(), record.offset());
        if (!io.kshift.model.event.MeshTopics.isDelta(record.key(), record.headers())) {
            checkpoints.add(summary.generation());
        }
        trim();
    }

    /**
     * Forgets the generations past the topic's retention, and the oldest beyond {@link #maxGenerations}; the offset
     * of the checkpoint the oldest one listed is rebuilt on is kept (it may be older than that generation).
     */
    synchronized void trim() {
        java.time.Instant cutoff = clock.instant().minus(retention);
        for (Map.Entry<Long, GenerationSummary> oldest; (oldest = summaries.firstEntry()) != null; ) {
            java.time.Instant made = oldest.getValue().createdAt();
            if (summaries.size() <= Math.max(1, maxGenerations) && (made == null || !made.isBefore(cutoff))) {
                break;
            }
            summaries.remove(oldest.getKey());
        }
        Long oldestListed = summaries.isEmpty() ? null : summaries.firstKey();
        Long anchor = oldestListed == null ? null : checkpoints.floor(oldestListed);
        long keepFrom = anchor != null ? anchor : oldestListed != null ? oldestListed : Long.MAX_VALUE;
        offsets.headMap(keepFrom).clear();
        checkpoints.headSet(keepFrom).clear();
        if (anchor != null && anchor < oldestListed) {
            offsets.subMap(anchor, false, oldestListed, false).clear(); // deltas on it no longer listed
        }
    }

    /**
     * How far the history has been read at start: until then a rollback to an older generation answered 404 and
     * the fleet view judged nodes STALE from part of the history.
     */
    public io.kshift.config.bus.ReadThrough readThrough() {
        return readThrough;
    }

    /** A record written before summaries travelled in a header: diffed against the one before it. */
    private GenerationSummary fromSnapshot(String json) {
        MeshSnapshot snapshot = decoder.decode(json);
        MeshConfig config = MeshConfig.of(snapshot.resources());
        List<io.kshift.model.event.ResourceAction> changes = previous.diff(config);
        previous = config;
        return new GenerationSummary(snapshot.generation(), snapshot.changeId(), snapshot.createdAt(), config.size(),
                changes);
    }

    /** Newest first; those the topic still holds. */
    public List<GenerationSummary> list() {
        trim();
        return List.copyOf(summaries.descendingMap().values());
    }

    /**
     * When the first generation after {@code generation} was made, if its summary was read: the moment a node that
     * runs {@code generation} fell behind.
     */
    public Optional<java.time.Instant> madeAfter(long generation) {
        Map.Entry<Long, GenerationSummary> next = summaries.higherEntry(generation);
        return next == null ? Optional.empty() : Optional.ofNullable(next.getValue().createdAt());
    }

    public Optional<Long> offsetOf(long generation) {
        return Optional.ofNullable(offsets.get(generation));
    }
}
