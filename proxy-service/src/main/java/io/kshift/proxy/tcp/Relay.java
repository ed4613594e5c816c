package io.kshift.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;
import java.util.ArrayDeque;

/**
 * One direction of a proxied connection. The bytes Netty read from {@code from} are handed, as the same buffer,
 * to {@code to}'s channel, which releases it once written: no payload byte is copied (Vert.x's {@code Buffer}
 * path would copy each read to the heap, and the epoll transport copy it back to direct memory). While {@code to}
 * cannot take more, {@code from} stops reading (backpressure, no unbounded buffering). The peer's FIN on
 * {@code from} becomes a FIN on {@code to} once all bytes before it are written.
 *
 * <p>A relay takes over {@code from} before {@code to} exists: epoll still reads what arrives with a FIN even while
 * reading is off, and those buffers are held, in order, until {@link #to} is known.
 */
final class Relay {
    private final NetSocketInternal from;
    private final ArrayDeque<ByteBuf> early = new ArrayDeque<>();
    private NetSocketInternal to;
    private Runnable done;
    private java.util.concurrent.atomic.LongAdder bytes;

    private Relay(NetSocket from) {
        this.from = (NetSocketInternal) from;
    }

    /** Takes over what {@code from} reads; nothing is forwarded until {@link #to}. */
    static Relay from(NetSocket from) {
        Relay relay = new Relay(from);
        relay.from.messageHandler(relay::onMessage);
        return relay;
    }

    /**
     * Starts relaying to {@code to} (and reading {@code from}); {@code done} runs after the FIN was passed on;
     * every byte relayed is counted in {@code bytesRelayed}.
     */
    void to(NetSocket destination, Runnable whenDone, java.util.concurrent.atomic.LongAdder bytesRelayed) {
        this.to = (NetSocketInternal) destination;
        this.done = whenDone;
        this.bytes = bytesRelayed;
        to.drainHandler(v -> reading(from, true));
        while (!early.isEmpty()) {
            forward(early.poll());
        }
        reading(from, true);
    }

    /** Releases what was held for a destination that never came. */
    void discard() {
        early.forEach(ByteBuf::release);
        early.clear();
    }

    /** Turns reading a socket on or off at the Netty level (Vert.x's pause would buffer, and copy, instead). */
    static void reading(NetSocket socket, boolean on) {
        Channel channel = ((NetSocketInternal) socket).channelHandlerContext().channel();
        if (channel.config().isAutoRead() != on) {
            channel.config().setAutoRead(on);
        }
    }

    private void onMessage(Object message) {
        if (!(message instanceof ByteBuf data)) {
            ReferenceCountUtil.release(message);
        } else if (to == null) {
            early.add(data);
        } else {
            forward(data);
        }
    }

    private void forward(ByteBuf data) {
        if (HalfClose.isEndOfInput(data)) {
            data.release();
            HalfClose.shutdownOutput(to, done);
            return;
        }
        bytes.add(data.readableBytes());
        to.writeMessage(data);
        if (to.writeQueueFull()) {
            reading(from, false);
        }
    }
}
