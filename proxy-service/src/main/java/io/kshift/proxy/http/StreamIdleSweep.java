package io.kshift.proxy.http;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One event loop's streams under a stream idle timeout, and the one task that times them all out: every tick (a
 * quarter of the shortest timeout among them, at least 10 ms, at most 1 s) it ends the streams on which nothing
 * moved for their timeout, so a stream ends after its timeout, late by at most a tick. The task runs while the
 * loop has streams (once more after the last has gone), so an idle node wakes for none. Touched only on its loop:
 * no locks, no atomics.
 */
final class StreamIdleSweep implements Runnable {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(StreamIdleSweep.class);
    private static final long MIN_TICK = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MAX_TICK = TimeUnit.SECONDS.toNanos(1);
    private static final FastThreadLocal<StreamIdleSweep> PER_LOOP = new FastThreadLocal<>();

    private final EventLoop loop;
    private StreamIdle head;
    /** The next run, or null while the loop has no streams. */
    private ScheduledFuture<?> task;
    private long dueAt;

    private StreamIdleSweep(EventLoop loop) {
        this.loop = loop;
    }

    /** {@code loop}'s sweep; called on {@code loop}. */
    static StreamIdleSweep of(EventLoop loop) {
        if (!loop.inEventLoop()) {
            throw new IllegalStateException("a stream's idle timer is made on its own event loop");
        }
        StreamIdleSweep sweep = PER_LOOP.get();
        if (sweep == null) {
            sweep = new StreamIdleSweep(loop);
            PER_LOOP.set(sweep);
        }
        return sweep;
    }

    void add(StreamIdle stream) {
        stream.next = head;
        if (head != null) {
            head.prev = stream;
        }
        head = stream;
        runBy(stream.lastMoved + tick(stream.nanos));
    }

    /** The next run no later than {@code due}: sooner than planned for a shorter timeout than any so far. */
    private void runBy(long due) {
        if (task == null) {
            schedule(due);
        } else if (due - dueAt < 0) {
            task.cancel(false);
            schedule(due);
        }
    }

    private static long tick(long nanos) {
        return Math.max(MIN_TICK, Math.min(MAX_TICK, nanos / 4));
    }

    private void schedule(long due) {
        dueAt = due;
        task = loop.schedule(this, Math.max(0, due - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    void remove(StreamIdle stream) {
        assert loop.inEventLoop() : "a stream's idle timer is stopped on its own event loop";
        if (!linked(stream)) {
            return; // stopped twice, or after it timed out
        }
        if (stream.prev != null) {
            stream.prev.next = stream.next;
        } else {
            head = stream.next;
        }
        if (stream.next != null) {
            stream.next.prev = stream.prev;
        }
        stream.prev = null;
        stream.next = null;
    }

    /** In this loop's list: the head, or after another (a stream out of it has neither). */
    private boolean linked(StreamIdle stream) {
        return stream.prev != null || head == stream;
    }

    @Override
    public void run() {
        task = null;
        long now = System.nanoTime();
        long shortest = MAX_TICK;
        StreamIdle stream = head;
        try {
            while (stream != null) {
                // Read first: ending this stream may end others (their exchanges' own cleanup), then start again.
                StreamIdle following = stream.next;
                if (now - stream.lastMoved >= stream.nanos) {
                    remove(stream);
                    end(stream);
                    stream = following != null && !linked(following) ? head : following;
                } else {
                    shortest = Math.min(shortest, tick(stream.nanos));
                    stream = following;
                }
            }
        } finally {
            if (head != null) {
                // A stream made by an ending one scheduled its own run, maybe later than the others need.
                runBy(System.nanoTime() + shortest);
            }
        }
    }

    /** One stream's failure to end must not stop the loop's sweep: the others still need theirs. */
    private static void end(StreamIdle stream) {
        try {
            stream.onIdle.run();
        } catch (RuntimeException e) {
            LOG.warnf(e, "ending an idle stream failed");
        }
    }
}
