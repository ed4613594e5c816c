package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The stream idle timeout's sweep on a real event loop: who is ended, never early, and streams ending others. */
class StreamIdleSweepTest {
    private final EventLoop loop = new DefaultEventLoop();
    private final List<String> ended = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Test
    void endsTheSilentStreamOnlyAndNeverBeforeItsTimeout() throws Exception {
        long start = System.nanoTime();
        long[] silentEnded = new long[1];
        on(() -> new StreamIdle(loop, 300, () -> {
            silentEnded[0] = System.nanoTime();
            ended.add("silent");
        }));
        // Moved every 10 ms: its longer timeout leaves room for this thread's pauses on a busy machine.
        StreamIdle moving = on(() -> new StreamIdle(loop, 2000, () -> ended.add("moving")));
        StreamIdle stopped = on(() -> new StreamIdle(loop, 300, () -> ended.add("stopped")));
        on(() -> {
            stopped.stop();
            return null;
        });
        for (int i = 0; i < 60; i++) {
            Thread.sleep(10);
            on(() -> {
                moving.moved();
                return null;
            });
        }
        awaitEnded(1);
        assertThat(ended).containsExactly("silent");
        assertThat(silentEnded[0] - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));

        awaitEnded(2);
        assertThat(ended).containsExactly("silent", "moving");
    }

    @Test
    void aStreamEndingAnotherOnTheWayLeavesTheRestTimed() throws Exception {
        // Made first, so it follows the killer in the loop's list; its own timeout is later than the killer's.
        StreamIdle[] victim = new StreamIdle[1];
        victim[0] = on(() -> new StreamIdle(loop, 300, () -> ended.add("victim")));
        on(() -> new StreamIdle(loop, 40, () -> {
            ended.add("killer");
            victim[0].stop();
            // A longer timeout than the rest (a tick of 1 s): the others' next run must not wait for its.
            new StreamIdle(loop, 10_000, () -> ended.add("born during a sweep"));
        }));
        on(() -> new StreamIdle(loop, 40, () -> ended.add("bystander")));
        long[] lateEnded = new long[1];
        long late = System.nanoTime();
        on(() -> new StreamIdle(loop, 300, () -> {
            lateEnded[0] = System.nanoTime();
            ended.add("late");
        }));
        awaitEnded(3);
        Thread.sleep(400);
        assertThat(ended).containsExactlyInAnyOrder("bystander", "killer", "late");
        // 300 ms, late by a tick of 75 ms at most (plus the loop's own delays), not by the newborn's second.
        assertThat(lateEnded[0] - late).isLessThan(TimeUnit.MILLISECONDS.toNanos(850));
    }

    @Test
    void aShorterTimeoutThanAnySoFarIsNotKeptWaitingForTheLongOnesTick() throws Exception {
        on(() -> new StreamIdle(loop, TimeUnit.MINUTES.toMillis(5), () -> ended.add("long")));
        long start = System.nanoTime();
        on(() -> new StreamIdle(loop, 40, () -> ended.add("short")));
        awaitEnded(1);
        // The long one's tick is a second: without the earlier run the short one would wait for it.
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.MILLISECONDS.toNanos(900));
        assertThat(ended).containsExactly("short");
    }

    @Test
    void isMadeOnItsOwnLoopOnly() {
        assertThatThrownBy(() -> new StreamIdle(loop, 40, () -> ended.add("off-loop")))
                .isInstanceOf(IllegalStateException.class);
    }

    private <T> T on(Callable<T> call) throws Exception {
        return loop.submit(call).get(5, TimeUnit.SECONDS);
    }

    private void awaitEnded(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (ended.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(ended).hasSizeGreaterThanOrEqualTo(count);
    }
}
