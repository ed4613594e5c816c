package io.kshift.proxy.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;
import io.vertx.core.http.HttpConnection;
import java.util.concurrent.TimeUnit;

/**
 * Ends an HTTP/1 connection whose client may still be sending, after the proxy's answer (Envoy's delayed close): FIN
 * once the answer has left, so the client reads the answer and then the end, and the socket itself a second later,
 * or when the client closes first. Closed at once with the client's unread bytes in it, the socket is reset, and
 * the reset can cost the client the answer. TLS has no half-close: such a connection closes after its answer.
 */
final class DelayedClose {
    /** Envoy's {@code delayed_close_timeout} default. */
    static final long MILLIS = 1000;

    private DelayedClose() {
    }

    static void close(HttpConnection connection) {
        if (!(connection instanceof io.vertx.core.net.impl.ConnectionBase base)
                || !(base.channel() instanceof DuplexChannel duplex)
                || base.channel().pipeline().get(io.netty.handler.ssl.SslHandler.class) != null) {
            connection.close();
            return;
        }
        Channel channel = base.channel();
        // Behind everything written before it: the answer leaves first.
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> {
            if (written.isSuccess() && channel.isActive()) {
                duplex.shutdownOutput();
            } else {
                channel.close();
            }
        });
        // From now, not from the answer's leaving: a client that reads nothing holds that write back for ever.
        channel.eventLoop().schedule(() -> channel.close(), MILLIS, TimeUnit.MILLISECONDS);
    }
}
