package io.kshift.proxy.warmup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The end of the warm-up: a worker still in its last round is cut off, not taken for a failed warm-up. */
class WarmUpWorkersTest {
    private static final Duration WAIT = Duration.ofMillis(100);

    @Test
    void finishedWorkersAreAwaited() throws Exception {
        assertThat(WarmUpLoad.awaitWorkers(List.of(done(), done()), WAIT)).isZero();
    }

    @Test
    void aWorkerStillBusyIsCutOffAndCounted() throws Exception {
        assertThat(WarmUpLoad.awaitWorkers(List.of(done(), new CompletableFuture<>(), new CompletableFuture<>()), WAIT))
                .isEqualTo(2);
    }

    @Test
    void aFailedWorkerFailsTheWarmUpWhetherOrNotAnotherIsBusy() {
        CompletableFuture<Void> failed = CompletableFuture.failedFuture(new IllegalStateException("backend gone"));
        assertThatThrownBy(() -> WarmUpLoad.awaitWorkers(List.of(done(), failed), WAIT))
                .isInstanceOf(ExecutionException.class).hasRootCauseMessage("backend gone");
        assertThatThrownBy(() -> WarmUpLoad.awaitWorkers(List.of(failed, new CompletableFuture<>()), WAIT))
                .isInstanceOf(CompletionException.class).hasRootCauseMessage("backend gone");
    }

    private static CompletableFuture<Void> done() {
        return CompletableFuture.completedFuture(null);
    }
}
