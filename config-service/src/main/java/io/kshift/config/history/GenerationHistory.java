package io.kshift.config.history;

import io.kshift.model.event.EventCodec;
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
 * generation, a summary and the offset of its snapshot. Whole snapshots stay in Kafka and are read on demand
 * ({@link SnapshotFetcher}), so memory does not grow with config size times history length.
 */
@ApplicationScoped
public class GenerationHistory {
    private static final Logger LOG = Logger.getLogger(GenerationHistory.class);

    private final NavigableMap<Long, GenerationSummary> summaries = new ConcurrentSkipListMap<>();
    private final Map<Long, Long> offsets = new java.util.concurrent.ConcurrentHashMap<>();
    private MeshConfig previous = MeshConfig.empty();

    @Incoming("history")
    public synchronized void onSnapshot(ConsumerRecord<String, String> record) {
        MeshSnapshot snapshot;
        try {
            snapshot = EventCodec.decode(record.value(), MeshSnapshot.class);
        } catch (RuntimeException e) {
            LOG.warnf("ignoring an unreadable snapshot at offset %d: %s", record.offset(), e.getMessage());
            return;
        }
        MeshConfig config = MeshConfig.of(snapshot.resources());
        summaries.put(snapshot.generation(), new GenerationSummary(snapshot.generation(), snapshot.changeId(),
                snapshot.createdAt(), config.size(), previous.diff(config)));
        offsets.put(snapshot.generation(), record.offset());
        previous = config;
    }

    /** Newest first. */
    public List<GenerationSummary> list() {
        return List.copyOf(summaries.descendingMap().values());
    }

    public Optional<Long> offsetOf(long generation) {
        return Optional.ofNullable(offsets.get(generation));
    }
}
