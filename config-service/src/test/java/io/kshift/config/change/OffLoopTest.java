package io.kshift.config.change;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Heavy request work runs on a worker and the request goes on where it was, on its event loop and context. */
class OffLoopTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    record Seen(boolean workOnLoop, String workThread, String afterThread, Context afterContext) {
    }

    @Test
    void theWorkLeavesTheLoopAndTheAnswerComesBackOnIt() throws Exception {
        Context context = vertx.getOrCreateContext();
        CompletableFuture<Seen> seen = new CompletableFuture<>();
        CompletableFuture<String> loopThread = new CompletableFuture<>();
        context.runOnContext(v -> {
            loopThread.complete(Thread.currentThread().getName());
            String[] worker = new String[1];
            boolean[] onLoop = new boolean[1];
            OffLoop.call(() -> {
                worker[0] = Thread.currentThread().getName();
                onLoop[0] = Context.isOnEventLoopThread();
                return "parsed";
            }).subscribe().with(item -> seen.complete(new Seen(onLoop[0], worker[0],
                    Thread.currentThread().getName(), Vertx.currentContext())), seen::completeExceptionally);
        });
        Seen s = seen.get(10, TimeUnit.SECONDS);
        assertFalse(s.workOnLoop(), "the work ran on " + s.workThread());
        assertEquals(loopThread.get(), s.afterThread());
        assertTrue(s.afterContext() == context, "the request went on on another context");
    }

    @Test
    void offAnyLoopTheWorkRunsInPlace() {
        assertEquals("here", OffLoop.call(() -> "here").await().indefinitely());
    }
}
