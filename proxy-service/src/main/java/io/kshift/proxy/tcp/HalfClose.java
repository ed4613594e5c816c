package io.kshift.proxy.tcp;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.DuplexChannel;

/**
 * TCP half-close, as Envoy's tcp_proxy does it: a peer's FIN is passed on as a FIN to the other side, which may go
 * on answering ({@code date | nc host 31400} sends a line and shuts down its output at once). Vert.x 4 has no
 * half-close API; this works on the Netty channel: the input-shutdown event becomes an empty
 * read, delivered in order behind the data read before it, so the FIN is relayed only after every byte before it.
 * Netty never delivers an empty read for real bytes, so the empty buffer is unambiguous.
 */
public final class HalfClose {
    private static final String HANDLER = "kshift-half-close";
    /** How long a TLS connection that sent close_notify is still read before it is closed. */
    static final long TLS_CLOSE_GRACE_MILLIS = 5_000;

    private HalfClose() {
    }

    /** Lets the socket stay open for writing after its peer's FIN, and reports that FIN as an empty read. */
    static void enable(Channel channel) {
        if (terminatesTls(channel)) {
            // A TLS session ends with close_notify, and a FIN under it is a truncation: such a connection closes whole.
            return;
        }
        channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        channel.pipeline().addFirst(HANDLER, EndOfInputAsEmptyRead.INSTANCE);
    }

    /** Whether a buffer read from a socket with {@link #enable} is its peer's FIN. */
    static boolean isEndOfInput(io.netty.buffer.ByteBuf data) {
        return !data.isReadable();
    }

    /** Sends FIN after everything written so far has left; {@code then} runs once it has. */
    public static void shutdownOutput(Channel channel, Runnable then) {
        boolean tls = terminatesTls(channel);
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) written -> {
            io.netty.handler.ssl.SslHandler ssl = tls ? channel.pipeline().get(io.netty.handler.ssl.SslHandler.class)
                    : null;
            if (tls && ssl == null) {
                channel.close();
                then.run();
            } else if (tls) {
                // TLS has no half-close: close_notify, then reading on for a grace period (a peer may still answer,
                // as TLS 1.3 allows), then the connection closes whatever the peer does.
                ssl.closeOutbound().addListener(f -> then.run());
                channel.eventLoop().schedule(() -> {
                    channel.close();
                }, TLS_CLOSE_GRACE_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
            } else if (written.isSuccess() && nativeShutdown(channel)) {
                // Nothing more goes out on this socket, so its peer's FIN may close it outright: the session then
                // closes the other socket after what was written to it, as relaying that FIN would have ended it.
                // Half-closed, Netty would first shut the input down, which fails on a socket that has exchanged
                // both FINs, and make (and fill the stack trace of) an exception on nearly every connection.
                channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
                then.run();
            } else if (written.isSuccess() && channel instanceof DuplexChannel duplex) {
                duplex.shutdownOutput().addListener(f -> then.run());
            } else {
                channel.close();
                then.run();
            }
        });
    }

    private static boolean terminatesTls(Channel channel) {
        return channel.pipeline().get(io.netty.handler.ssl.SslHandler.class) != null;
    }

    /**
     * Sends FIN with shutdown(2) on the socket itself. Netty's own {@code shutdownOutput} makes (and fills the stack
     * trace of) an exception for every call, a few per cent of a proxy's CPU when connections are short; nothing
     * is written to this direction after its FIN, so Netty need not know.
     */
    private static boolean nativeShutdown(io.netty.channel.Channel channel) {
        if (channel instanceof io.netty.channel.unix.UnixChannel epoll
                && epoll.fd() instanceof io.netty.channel.unix.Socket socket) {
            try {
                socket.shutdown(false, true);
                return true;
            } catch (java.io.IOException e) {
                return false;
            }
        }
        return false;
    }

    @ChannelHandler.Sharable
    private static final class EndOfInputAsEmptyRead extends ChannelInboundHandlerAdapter {
        static final EndOfInputAsEmptyRead INSTANCE = new EndOfInputAsEmptyRead();

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event == ChannelInputShutdownEvent.INSTANCE) {
                // Nothing is left to read. With reading left on, Netty's end of that read asks for EPOLLIN again
                // and the next wake-up takes it off: two epoll_ctl calls per FIN for nothing.
                ctx.channel().config().setAutoRead(false);
                ctx.fireChannelRead(Unpooled.EMPTY_BUFFER);
                ctx.fireChannelReadComplete();
            } else if (event != ChannelInputShutdownReadComplete.INSTANCE) {
                super.userEventTriggered(ctx, event);
            }
        }
    }
}
