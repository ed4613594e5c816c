package io.kshift.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.LongAdder;

/**
 * One direction of a proxied connection: the last handler of {@code from}'s pipeline. The buffers Netty read from
 * {@code from} are written, as they are, to {@code to}, flushed once per read burst: no payload byte is copied.
 * While {@code to} cannot take more, {@code from} stops reading (backpressure, no unbounded buffering) until
 * {@code to} drains. The peer's FIN on {@code from} (an empty read, {@link HalfClose}) becomes a FIN on {@code to}
 * once all bytes before it are written. Plain Netty rather than Vert.x's {@code NetSocket}: its layers (a socket
 * object, context hops, promises per connection and per write) were a tenth of a proxy's CPU under short
 * connections.
 *
 * <p>A relay takes over {@code from} before {@code to} exists: epoll still reads what arrives with a FIN even while
 * reading is off, and those buffers are held, in order, until {@link #to} is known.
 */
final class Relay extends ChannelInboundHandlerAdapter {
    private final Channel from;
    private final ArrayDeque<ByteBuf> early = new ArrayDeque<>();
    private Channel to;
    private Relay back;
    private Runnable done;
    private LongAdder bytes;
    private boolean ended;
    private boolean unflushed;

    private Relay(Channel from) {
        this.from = from;
    }

    /** Takes over what {@code from} reads; nothing is forwarded until {@link #to}. */
    static Relay from(Channel from) {
        Relay relay = new Relay(from);
        from.pipeline().addLast("kshift-relay", relay);
        return relay;
    }

    /**
     * Starts relaying to {@code destination} (and reading {@code from}); {@code back} is the relay writing into
     * {@code from}, resumed when {@code from} drains; {@code whenDone} runs after the FIN was passed on; every byte
     * relayed is counted in {@code bytesRelayed}.
     */
    void to(Channel destination, Relay back, Runnable whenDone, LongAdder bytesRelayed) {
        this.to = destination;
        this.back = back;
        this.done = whenDone;
        this.bytes = bytesRelayed;
        while (!early.isEmpty()) {
            forward(early.poll());
        }
        flush();
        if (!ended && to.isWritable()) {
            reading(from, true);
        }
    }

    /** Releases what was held for a destination that never came. */
    void discard() {
        early.forEach(ByteBuf::release);
        early.clear();
    }

    /** Turns reading a channel on or off (off: epoll stops watching it for input). */
    static void reading(Channel channel, boolean on) {
        if (channel.config().isAutoRead() != on) {
            channel.config().setAutoRead(on);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        if (!(message instanceof ByteBuf data)) {
            ReferenceCountUtil.release(message);
        } else if (to == null) {
            early.add(data);
        } else {
            forward(data);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (from.isWritable() && back != null) {
            back.resume();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            ctx.close(); // the destination's idle timeout (TcpSession puts the idle handler on the client only)
        } else {
            ReferenceCountUtil.release(event);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private void resume() {
        // While held reads are being passed on, a FIN may still be queued among them: to() decides at their end.
        if (!ended && to != null && early.isEmpty()) {
            reading(from, true);
        }
    }

    private void forward(ByteBuf data) {
        if (HalfClose.isEndOfInput(data)) {
            ended = true;
            data.release();
            unflushed = false;
            HalfClose.shutdownOutput(to, done); // flushes what was written before it
            return;
        }
        bytes.add(data.readableBytes());
        to.write(data, to.voidPromise());
        unflushed = true;
        if (!to.isWritable()) {
            // Flushed first: one 64 KiB read passes Netty's high-water mark by itself, and a socket that takes it
            // all at once must not cost an off-and-on of reading. Off only if still full after the flush; the drain
            // that follows then fires its writability event with reading off (channelWritabilityChanged).
            flush();
            if (!to.isWritable()) {
                reading(from, false);
            }
        }
    }

    private void flush() {
        if (unflushed) {
            unflushed = false;
            to.flush();
        }
    }
}
