package io.kshift.config.change;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fires when this instance starts to stop (SIGTERM: a restart, a rollout), before the HTTP server stops taking
 * requests and waits for those in flight ({@code quarkus.shutdown.timeout}): a client waiting on {@code ?wait=}
 * then gets what is known so far — the verdict, or 202 PENDING with its changeId — instead of a cut connection.
 */
@ApplicationScoped
public class Stopping {
    /** The waits in progress; each leaves when it ends, so nothing accumulates over the life of the process. */
    private final Set<UniEmitter<? super Void>> waiting = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;

    void onStop(@Observes ShutdownDelayInitiatedEvent event) {
        stop();
    }

    void stop() {
        stopped = true;
        waiting.forEach(e -> e.complete(null));
    }

    /** Completes when the instance starts to stop (at once if it has). */
    public Uni<Void> signal() {
        return Uni.createFrom().emitter(e -> {
            waiting.add(e);
            e.onTermination(() -> waiting.remove(e));
            if (stopped) {
                e.complete(null);
            }
        });
    }

    int waiting() {
        return waiting.size();
    }
}
