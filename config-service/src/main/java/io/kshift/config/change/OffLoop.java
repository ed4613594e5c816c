package io.kshift.config.change;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.util.function.Supplier;

/**
 * A write's work up to its submission (parsing a 2 MiB body, sealing Secrets, reading a generation back from
 * Kafka, claiming the idempotency key, encoding the change and sending it), run on a worker, not on the event
 * loop that took the request (probes and reads share it). One step from start to submission: a key is claimed only
 * where the change is then sent, so a client that goes away in between cannot leave a key claimed for a change
 * never sent. Not {@code @Blocking}: a blocking resource method whose {@code Uni} completed later was now and then
 * answered 500 (the request scope was gone when RESTEasy Reactive resumed it on a worker); this {@code Uni}
 * completes as a verdict's always has, on whichever thread brings it.
 */
public final class OffLoop {
    private OffLoop() {
    }

    public static <T> Uni<T> run(Supplier<Uni<? extends T>> work) {
        return Uni.createFrom().deferred(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}
