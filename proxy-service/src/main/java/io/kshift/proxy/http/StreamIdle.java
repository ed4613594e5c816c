package io.kshift.proxy.http;

import io.netty.channel.EventLoop;
import java.util.concurrent.TimeUnit;

/**
 * Envoy's stream idle timeout for one request: {@link #moved()} on every byte either way is a timestamp, not a
 * timer reset. The stream is an entry in its event loop's {@link StreamIdleSweep} from its start to {@link #stop()}:
 * two links set and cleared, where a timer of its own cost a scheduled task made and cancelled per request (a
 * priority-queue insert and removal on the loop, ~1 % of a proxy's CPU under keep-alive load). Made and stopped on
 * {@code loop}, where the exchange's state lives; {@code onIdle} runs there too.
 */
final class StreamIdle {
    final long nanos;
    final Runnable onIdle;
    long lastMoved = System.nanoTime();
    /** The sweep's list: this loop's streams, in no particular order. */
    StreamIdle prev;
    StreamIdle next;
    private final StreamIdleSweep sweep;

    StreamIdle(EventLoop loop, long millis, Runnable onIdle) {
        this.nanos = TimeUnit.MILLISECONDS.toNanos(millis);
        this.onIdle = onIdle;
        this.sweep = StreamIdleSweep.of(loop);
        sweep.add(this);
    }

    void moved() {
        lastMoved = System.nanoTime();
    }

    void stop() {
        sweep.remove(this);
    }
}
