package io.kshift.proxy.http;

import io.kshift.proxy.tcp.HalfClose;
import io.vertx.core.http.HttpConnection;
import java.util.concurrent.TimeUnit;

/**
 * Ends an HTTP/1 connection whose client may still be sending, after the proxy's answer (Envoy's delayed close): FIN
 * once the answer has left ({@link HalfClose#shutdownOutput}; over TLS, close_notify), so the client reads the answer
 * and then the end, and the socket itself a second later, or when the client closes first. Closed at once with the
 * client's unread bytes in it, the socket is reset, and the reset can cost the client the answer.
 */
final class DelayedClose {
    /** Envoy's {@code delayed_close_timeout} default. */
    static final long MILLIS = 1000;

    private DelayedClose() {
    }

    static void close(HttpConnection connection) {
        if (!(connection instanceof io.vertx.core.net.impl.ConnectionBase base)) {
            connection.close();
            return;
        }
        io.netty.channel.Channel channel = base.channel();
        HalfClose.shutdownOutput(channel, () -> {
        });
        // From now, not from the answer's leaving: a client that reads nothing holds that write back for ever.
        channel.eventLoop().schedule(() -> channel.close(), MILLIS, TimeUnit.MILLISECONDS);
    }
}
