package io.kshift.proxy.tcp;

import io.vertx.core.net.NetSocket;

/**
 * One direction of a proxied connection: bytes from {@code from} are written to {@code to}; when {@code to}'s
 * write queue is full, {@code from} is paused until it drains (backpressure, no unbounded buffering). The peer's
 * FIN on {@code from} becomes a FIN on {@code to} once all bytes before it are written.
 */
final class Relay {
    private final NetSocket from;
    private final NetSocket to;
    private final Runnable done;

    private Relay(NetSocket from, NetSocket to, Runnable done) {
        this.from = from;
        this.to = to;
        this.done = done;
    }

    /** Starts relaying; {@code done} runs on the event loop after the FIN has been passed on. */
    static void start(NetSocket from, NetSocket to, Runnable done) {
        Relay relay = new Relay(from, to, done);
        from.handler(relay::onData);
        from.resume();
    }

    private void onData(io.vertx.core.buffer.Buffer data) {
        if (HalfClose.isEndOfInput(data)) {
            HalfClose.shutdownOutput(to, done);
            return;
        }
        to.write(data);
        if (to.writeQueueFull()) {
            from.pause();
            to.drainHandler(v -> from.resume());
        }
    }
}
