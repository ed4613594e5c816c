package io.kshift.config.change;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/**
 * A write's work up to its submission (parsing a 2 MiB body, sealing Secrets, reading a generation back from
 * Kafka, claiming the idempotency key, encoding the change and sending it), run on a worker, not on the event
 * loop that took the request (probes and reads share it). One step from start to submission: a key is claimed only
 * where the change is then sent, so a client that goes away in between cannot leave a key claimed for a change
 * never sent. The answer comes back on the request's own context: RESTEasy Reactive resumed from another thread
 * while the request was still being suspended answers 500 now and then (its request scope is gone), as a
 * {@code @Blocking} method returning a {@code Uni} did, and as an answer made on a worker at once did.
 */
public final class OffLoop {
    private OffLoop() {
    }

    public static <T> Uni<T> run(Supplier<Uni<? extends T>> work) {
        Uni<T> offLoop = Uni.createFrom().<T>deferred(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        Context request = Vertx.currentContext();
        return request == null ? offLoop : offLoop.emitOn(task -> request.runOnContext(v -> task.run()));
    }
}
