package io.kshift.config.change;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.CompletableFuture;

/**
 * Fires when this instance starts to stop (SIGTERM: a restart, a rollout), before the HTTP server stops taking
 * requests and waits for those in flight ({@code quarkus.shutdown.timeout}): a client waiting on {@code ?wait=}
 * then gets what is known so far — the verdict, or 202 PENDING with its changeId — instead of a cut connection.
 */
@ApplicationScoped
public class Stopping {
    private final CompletableFuture<Void> stopping = new CompletableFuture<>();

    void onStop(@Observes ShutdownDelayInitiatedEvent event) {
        stopping.complete(null);
    }

    /** Completes when the instance starts to stop; cancelling it (a wait that ended first) touches no other. */
    public Uni<Void> signal() {
        return Uni.createFrom().completionStage(stopping::copy);
    }

    public boolean stopping() {
        return stopping.isDone();
    }
}
