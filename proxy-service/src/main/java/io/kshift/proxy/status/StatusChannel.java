package io.kshift.proxy.status;

import io.smallrye.reactive.messaging.kafka.Record;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Emitter;

/**
 * A node's records on {@code kshift.proxy-status}, its tombstone last. Reports come from the heartbeat thread and
 * from the route builder after an apply; one still under way when the node shuts down must not follow its
 * tombstone, or the compacted topic keeps a status for a node that is gone and the fleet view shows it NOT_SEEN
 * for ever. The emitter keeps the order of its sends (one key, one partition), so deciding and sending under one
 * lock is enough.
 */
final class StatusChannel {
    private final Emitter<Record<String, String>> emitter;
    private boolean closed;

    StatusChannel(Emitter<Record<String, String>> emitter) {
        this.emitter = emitter;
    }

    /**
     * Sends a report, or nothing (null) once the tombstone has gone. May throw when the emitter's buffer is full. The
     * status is made under the lock: one made outside it (a heartbeat reading generation N while the route builder
     * swapped in N+1 and reported it) could go out after the newer one, with a later time, and the fleet view took
     * the node for lagging until the next heartbeat.
     */
    synchronized CompletionStage<Void> report(String nodeId, java.util.function.Supplier<String> status) {
        if (closed) {
            return null;
        }
        return emitter.send(Record.of(nodeId, status.get()));
    }

    /** The tombstone, once; every report after it is dropped. */
    synchronized CompletionStage<Void> close(String nodeId) {
        if (closed) {
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
        closed = true;
        return emitter.send(Record.<String, String>of(nodeId, null));
    }
}
