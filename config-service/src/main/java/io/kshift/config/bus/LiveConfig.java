package io.kshift.config.bus;

import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.SnapshotDecoder;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Channel {@code config} ← topic {@code kshift.config}: the newest accepted snapshot, which is what
 * {@code GET /api/v1/resources} shows. Rebuilt from the compacted topic on every start: config-service keeps no
 * state of its own.
 */
@ApplicationScoped
public class LiveConfig {
    private static final Logger LOG = Logger.getLogger(LiveConfig.class);

    private final AtomicReference<MeshSnapshot> current = new AtomicReference<>(MeshSnapshot.empty());
    private final List<Waiter> waiters = new CopyOnWriteArrayList<>();
    private final SnapshotDecoder decoder = new SnapshotDecoder();

    private record Waiter(long generation, CompletableFuture<MeshSnapshot> future) {
    }

    @Incoming("config")
    public void onSnapshot(String json) {
        MeshSnapshot snapshot;
        try {
            synchronized (decoder) {
                snapshot = decoder.decode(json);
            }
        } catch (RuntimeException e) {
            LOG.warnf("ignoring an unreadable snapshot: %s", e.getMessage());
            return;
        }
        MeshSnapshot installed = current.accumulateAndGet(snapshot,
                (old, next) -> next.generation() > old.generation() ? next : old);
        for (Waiter w : waiters) {
            if (installed.generation() >= w.generation()) {
                w.future().complete(installed);
                waiters.remove(w);
            }
        }
    }

    public MeshSnapshot current() {
        return current.get();
    }

    /** Completes once this instance has seen {@code generation} (read-your-writes for {@code ?wait}). */
    public Uni<MeshSnapshot> awaitGeneration(long generation, Duration timeout) {
        if (current.get().generation() >= generation) {
            return Uni.createFrom().item(current.get());
        }
        Waiter waiter = new Waiter(generation, new CompletableFuture<>());
        waiters.add(waiter);
        if (current.get().generation() >= generation) {
            waiter.future().complete(current.get());
        }
        return Uni.createFrom().completionStage(waiter.future())
                .ifNoItem().after(timeout).recoverWithItem(current::get)
                .onTermination().invoke(() -> waiters.remove(waiter));
    }
}
