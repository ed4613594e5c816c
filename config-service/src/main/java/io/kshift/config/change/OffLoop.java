package io.kshift.config.change;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.Callable;

/**
 * Work too heavy for an event loop (parsing a 2 MiB body, sealing Secrets, reading a generation back from Kafka),
 * run on a worker and answered back on the request's own Vert.x context. Not {@code @Blocking}: a blocking resource
 * method whose {@code Uni} completed later was now and then answered 500 (the request scope was gone when RESTEasy
 * Reactive resumed it on a worker); here everything after the work runs on the event loop, as a non-blocking
 * method's does.
 */
public final class OffLoop {
    private OffLoop() {
    }

    public static <T> Uni<T> call(Callable<T> work) {
        Context context = Vertx.currentContext();
        if (context == null || !Context.isOnEventLoopThread()) {
            // Already off a loop (a worker, a test): run here.
            return Uni.createFrom().item(() -> {
                try {
                    return work.call();
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        return Uni.createFrom().completionStage(() -> context.executeBlocking(work, false).toCompletionStage());
    }
}
