package io.kshift.config.change;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A write's heavy work leaves the event loop that took it, and runs only when subscribed, once. */
class OffLoopTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void theWorkLeavesTheEventLoopAndTheAnswerComesBackOnIt() throws Exception {
        CompletableFuture<String> seen = new CompletableFuture<>();
        Context context = vertx.getOrCreateContext();
        CompletableFuture<String> loop = new CompletableFuture<>();
        context.runOnContext(v -> {
            loop.complete(Thread.currentThread().getName());
            OffLoop.run(() -> Uni.createFrom().item(Context.isOnEventLoopThread() + " " + Thread.currentThread()
                    .getName())).subscribe().with(work -> seen.complete(work + " | " + Thread.currentThread()
                    .getName() + " " + (Vertx.currentContext() == context)), seen::completeExceptionally);
        });
        String where = seen.get(10, TimeUnit.SECONDS);
        assertFalse(where.startsWith("true"), "the work ran on an event loop: " + where);
        assertEquals(loop.get() + " true", where.substring(where.indexOf(" | ") + 3), "the answer came back elsewhere");
    }

    @Test
    void theWorkRunsWhenSubscribedAndOnlyThen() {
        AtomicInteger runs = new AtomicInteger();
        Uni<Integer> uni = OffLoop.run(() -> Uni.createFrom().item(runs.incrementAndGet()));
        assertEquals(0, runs.get());
        assertEquals(1, uni.await().atMost(java.time.Duration.ofSeconds(10)));
        assertEquals(1, runs.get());
    }
}
