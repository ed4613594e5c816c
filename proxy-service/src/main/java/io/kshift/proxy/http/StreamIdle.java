package io.kshift.proxy.http;

import io.netty.channel.EventLoop;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Envoy's stream idle timeout for one request: {@link #moved()} on every byte either way is a timestamp, not a
 * timer reset, so a busy stream costs one scheduled task per idle period. The task runs on the stream's own event
 * loop (fixed at the start: a bare Netty task has no Vert.x context to find it from), which is where the exchange's
 * state lives.
 */
final class StreamIdle {
    private final EventLoop loop;
    private final long nanos;
    private final Runnable onIdle;
    private long lastMoved = System.nanoTime();
    private ScheduledFuture<?> timer;

    StreamIdle(EventLoop loop, long millis, Runnable onIdle) {
        this.loop = loop;
        this.nanos = TimeUnit.MILLISECONDS.toNanos(millis);
        this.onIdle = onIdle;
        timer = loop.schedule(this::check, nanos, TimeUnit.NANOSECONDS);
    }

    void moved() {
        lastMoved = System.nanoTime();
    }

    void stop() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void check() {
        if (timer == null) {
            return; // stopped while this run was already queued
        }
        long still = System.nanoTime() - lastMoved;
        if (still < nanos) {
            timer = loop.schedule(this::check, nanos - still, TimeUnit.NANOSECONDS);
        } else {
            timer = null;
            onIdle.run();
        }
    }
}
