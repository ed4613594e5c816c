package io.kshift.config.bus;

import io.kshift.model.event.EventCodec;
import io.kshift.model.event.GenerationSummary;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.event.SnapshotDecoder;
import io.kshift.model.event.SnapshotDelta;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Channel {@code config} ← topic {@code kshift.config}: the newest accepted snapshot, which is what
 * {@code GET /api/v1/resources} shows. Rebuilt from the compacted topic on every start: config-service keeps no
 * state of its own.
 *
 * <p>The topic holds checkpoints (whole snapshots, MBs at thousands of resources) and deltas on them, but most
 * generations are never read here: answering a change and the fleet view need only the generation. So a record
 * that carries its {@value GenerationSummary#HEADER} header, and whose text opens with that same generation as the
 * validator writes it, is kept as bytes and decoded only when a reader asks for resources, once per generation (a
 * delta on the newest checkpoint read before it); any other record is decoded on arrival (and skipped if it does
 * not decode), so a header alone never advances the live generation.
 */
@ApplicationScoped
public class LiveConfig {
    private static final Logger LOG = Logger.getLogger(LiveConfig.class);

    private final AtomicReference<Latest> latest = new AtomicReference<>(Latest.of(MeshSnapshot.empty()));
    /** The newest checkpoint (a whole snapshot), which the deltas after it apply to. */
    private final AtomicReference<Latest> checkpoint = new AtomicReference<>(latest.get());
    private final AtomicReference<MeshSnapshot> lastGood = new AtomicReference<>(MeshSnapshot.empty());
    private final List<Waiter> waiters = new CopyOnWriteArrayList<>();
    private final SnapshotDecoder decoder = new SnapshotDecoder();

    private record Waiter(long generation, CompletableFuture<Long> future) {
    }

    /**
     * A generation: its summary always, its snapshot once somebody needed it (then cached). A checkpoint's comes from
     * its own bytes; a delta's from its checkpoint's snapshot and the delta.
     */
    private static final class Latest {
        final GenerationSummary head;
        private byte[] raw;
        private final Latest checkpoint;
        private MeshSnapshot snapshot;

        private Latest(GenerationSummary head, byte[] raw, Latest checkpoint, MeshSnapshot snapshot) {
            this.head = head;
            this.raw = raw;
            this.checkpoint = checkpoint;
            this.snapshot = snapshot;
        }

        static Latest of(MeshSnapshot snapshot) {
            return new Latest(GenerationSummary.of(snapshot, List.of(), null), null, null, snapshot);
        }

        /** Decoded at most once; a generation that turns out unreadable reads as the last one that decoded. */
        synchronized MeshSnapshot snapshot(SnapshotDecoder decoder, AtomicReference<MeshSnapshot> lastGood) {
            if (snapshot == null) {
                try {
                    snapshot = checkpoint == null ? decodeSnapshot(decoder, raw)
                            : onCheckpoint(checkpoint.snapshot(decoder, lastGood), raw);
                    MeshSnapshot decoded = snapshot;
                    lastGood.accumulateAndGet(decoded, (old, n) -> n.generation() > old.generation() ? n : old);
                } catch (RuntimeException e) {
                    snapshot = lastGood.get();
                    LOG.warnf("generation %d is unreadable, showing generation %d: %s", head.generation(),
                            snapshot.generation(), e.getMessage());
                }
                raw = null;
            }
            return snapshot;
        }
    }

    private static MeshSnapshot decodeSnapshot(SnapshotDecoder decoder, byte[] raw) {
        synchronized (decoder) {
            return decoder.decode(new String(raw, StandardCharsets.UTF_8));
        }
    }

    /** The generation {@code delta} (a {@link SnapshotDelta}'s bytes) makes of {@code base}, its checkpoint. */
    private static MeshSnapshot onCheckpoint(MeshSnapshot base, byte[] delta) {
        SnapshotDelta d = EventCodec.decode(new String(delta, StandardCharsets.UTF_8), SnapshotDelta.class);
        return d.applyTo(base).orElseThrow(() -> new IllegalStateException("its delta on generation " + d.base()
                + " does not apply to generation " + base.generation()));
    }

    @Incoming("config")
    public void onSnapshot(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return;
        }
        Latest next;
        try {
            GenerationSummary summary = summary(record);
            if (MeshTopics.DELTA_KEY.equals(record.key())) {
                next = summary != null ? new Latest(summary, record.value(), checkpoint.get(), null)
                        : decoded(onCheckpoint(checkpoint.get().snapshot(decoder, lastGood), record.value()));
            } else {
                next = summary != null ? new Latest(summary, record.value(), null, null)
                        : decoded(decodeSnapshot(decoder, record.value()));
                checkpoint.accumulateAndGet(next, (old, n) -> n.head.generation() > old.head.generation() ? n : old);
            }
        } catch (RuntimeException e) {
            LOG.warnf("ignoring an unreadable snapshot at offset %d: %s", record.offset(), e.getMessage());
            return;
        }
        Latest installed = latest.accumulateAndGet(next,
                (old, n) -> n.head.generation() > old.head.generation() ? n : old);
        for (Waiter w : waiters) {
            if (installed.head.generation() >= w.generation()) {
                w.future().complete(installed.head.generation());
                waiters.remove(w);
            }
        }
    }

    private Latest decoded(MeshSnapshot snapshot) {
        lastGood.accumulateAndGet(snapshot, (old, n) -> n.generation() > old.generation() ? n : old);
        return Latest.of(snapshot);
    }

    /** The record's summary when it has a readable one that agrees with the start of its value; else null. */
    private static GenerationSummary summary(ConsumerRecord<String, byte[]> record) {
        return GenerationSummary.ofRecord(record.headers(), record.value());
    }

    /** The newest accepted generation's summary (generation, change, time, size), without decoding it. */
    public GenerationSummary head() {
        return latest.get().head;
    }

    /** The newest accepted snapshot with its resources. */
    public MeshSnapshot current() {
        return latest.get().snapshot(decoder, lastGood);
    }

    /** Completes once this instance has seen {@code generation} (read-your-writes for {@code ?wait}). */
    public Uni<Long> awaitGeneration(long generation, Duration timeout) {
        if (head().generation() >= generation) {
            return Uni.createFrom().item(head().generation());
        }
        Waiter waiter = new Waiter(generation, new CompletableFuture<>());
        waiters.add(waiter);
        if (head().generation() >= generation) {
            waiter.future().complete(head().generation());
        }
        return Uni.createFrom().completionStage(waiter.future())
                .ifNoItem().after(timeout).recoverWithItem(() -> head().generation())
                .onTermination().invoke(() -> waiters.remove(waiter));
    }
}
