package io.kshift.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Opens an HTTP/1.1 CONNECT tunnel on a fresh upstream connection (Istio's DestinationRule {@code tunnel}, Envoy's
 * TCP tunnelling): asks the proxy at the other end for {@code host:port}, reads its answer's head, and succeeds on a
 * 2xx, after which the connection carries the client's bytes as they are. Anything else (another status, a head over
 * {@value #MAX_HEAD} bytes or that does not read as HTTP, no answer within the timeout, the connection closing) fails
 * it, and the caller treats the endpoint as one that refused. Bytes the proxy sent after the head are handed to the
 * next handler, not lost.
 */
final class Tunnel extends ChannelInboundHandlerAdapter {
    static final int MAX_HEAD = 16 * 1024;
    private static final byte[] END = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private final Promise<Void> opened;
    /** The answer so far, copied into one buffer: a proxy writing a byte at a time costs a copy, not a deep chain. */
    private ByteBuf head;
    /** Where the search for the head's end goes on from. */
    private int searched;
    private ByteBuf after;
    private ScheduledFuture<?> timer;

    private Tunnel(Promise<Void> opened) {
        this.opened = opened;
    }

    /** Sends the CONNECT for {@code authority} on {@code channel}; the future ends when the proxy has answered. */
    static Future<Void> open(Channel channel, String authority, Duration timeout) {
        Tunnel tunnel = new Tunnel(channel.eventLoop().newPromise());
        channel.pipeline().addLast("kshift-tunnel", tunnel);
        tunnel.timer = channel.eventLoop().schedule(() -> tunnel.fail(channel, "no answer to CONNECT " + authority
                + " within " + timeout.toMillis() + " ms"), Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
        channel.writeAndFlush(Unpooled.copiedBuffer("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority
                + "\r\n\r\n", StandardCharsets.US_ASCII));
        return tunnel.opened;
    }

    /** Takes the tunnel handler out, passing on what the proxy sent after its answer; once the relay is in place. */
    static void handOver(Channel channel) {
        ChannelHandlerContext ctx = channel.pipeline().context("kshift-tunnel");
        if (ctx == null) {
            return;
        }
        Tunnel tunnel = (Tunnel) ctx.handler();
        ByteBuf rest = tunnel.after;
        tunnel.after = null;
        if (rest != null && rest.isReadable()) {
            ctx.fireChannelRead(rest);
            ctx.fireChannelReadComplete();
        } else if (rest != null) {
            rest.release();
        }
        channel.pipeline().remove(tunnel);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        if (!(message instanceof ByteBuf data) || opened.isDone() && !opened.isSuccess()) {
            ReferenceCountUtil.release(message);
            return;
        }
        if (opened.isSuccess()) { // read before the relay took over: kept, in order, for it
            after = after == null || !after.isReadable() ? replace(after, data) : Unpooled.wrappedBuffer(after, data);
            return;
        }
        if (head == null) {
            head = ctx.alloc().buffer(Math.max(256, data.readableBytes()));
        }
        head.writeBytes(data);
        data.release();
        int end = indexOf(head, Math.max(head.readerIndex(), searched - END.length + 1));
        searched = head.writerIndex();
        if (end < 0) {
            if (head.readableBytes() > MAX_HEAD) {
                fail(ctx.channel(), "the proxy's answer to CONNECT has a head over " + MAX_HEAD + " bytes");
            }
            return;
        }
        if (end - head.readerIndex() > MAX_HEAD) {
            fail(ctx.channel(), "the proxy's answer to CONNECT has a head over " + MAX_HEAD + " bytes");
            return;
        }
        String answer = head.toString(head.readerIndex(), end - head.readerIndex(), StandardCharsets.ISO_8859_1);
        after = head.retainedSlice(end + END.length, head.writerIndex() - end - END.length);
        String status = answer.lines().findFirst().orElse("");
        if (!status.matches("HTTP/1\\.[01] 2[0-9][0-9]( .*)?")) {
            fail(ctx.channel(), "the proxy answered CONNECT with '" + status + "'");
            return;
        }
        release();
        if (timer != null) {
            timer.cancel(false);
        }
        opened.trySuccess(null);
    }

    private static ByteBuf replace(ByteBuf old, ByteBuf data) {
        if (old != null) {
            old.release();
        }
        return data;
    }

    private static int indexOf(ByteBuf buf, int from) {
        outer:
        for (int i = from; i <= buf.writerIndex() - END.length; i++) {
            for (int j = 0; j < END.length; j++) {
                if (buf.getByte(i + j) != END[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        fail(ctx.channel(), "the proxy closed the connection before answering CONNECT");
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx.channel(), "CONNECT failed: " + cause.getMessage());
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
        if (after != null) {
            after.release();
            after = null;
        }
    }

    private void fail(Channel channel, String why) {
        if (opened.isDone()) {
            return;
        }
        release();
        if (timer != null) {
            timer.cancel(false);
        }
        opened.tryFailure(new java.io.IOException(why));
        channel.close();
    }

    private void release() {
        if (head != null && head.refCnt() > 0) {
            head.release();
        }
        head = null;
    }
}
