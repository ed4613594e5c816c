package io.kshift.proxy.http;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * How an HTTP listener treats its clients, with Envoy's defaults where Envoy has one: request headers up to 60 KiB
 * (over: 431; a request line that long: 414; the same on HTTP/2), a connection on which no byte moves for 1 h is
 * closed (Envoy's HTTP {@code idle_timeout}; Vert.x counts bytes, so a silent request is cut then too), and a request
 * head must arrive within {@code kshift.proxy.http.request-headers-timeout} of its first byte (Envoy leaves that off;
 * kshift's gateways face clients directly, so 10 s by default, 0 = off). HTTP/2 clients' connections have a 1 MiB
 * window, so a paused upload holds up to that much per connection in the server's queue (outside the buffer budget).
 */
@ApplicationScoped
public class HttpListenerSettings {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(HttpListenerSettings.class);
    private final int maxHeaderBytes;
    private final Duration idleTimeout;
    private final long headersTimeoutMillis;
    private final LongAdder headersTimedOut = new LongAdder();
    /** The node's clients' HTTP/2 connections, open now: told to go away when the node drains. */
    private final java.util.Set<HttpConnection> http2 = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** When the node's drain ends (System.nanoTime), 0 while it is not draining. */
    private volatile long drainUntil;

    public HttpListenerSettings(MeterRegistry registry,
                                @ConfigProperty(name = "kshift.proxy.http.max-header-bytes", defaultValue = "61440")
                                int maxHeaderBytes,
                                @ConfigProperty(name = "kshift.proxy.http.idle-timeout", defaultValue = "1h")
                                Duration idleTimeout,
                                @ConfigProperty(name = "kshift.proxy.http.request-headers-timeout", defaultValue = "10s")
                                Duration headersTimeout) {
        this.maxHeaderBytes = maxHeaderBytes;
        this.idleTimeout = idleTimeout;
        this.headersTimeoutMillis = headersTimeout.toMillis();
        FunctionCounter.builder("kshift_http_request_headers_timeouts", headersTimedOut, LongAdder::doubleValue)
                .description("HTTP/1 connections closed because a request head did not arrive in time")
                .register(registry);
    }

    /**
     * HTTP/2 clients' connection window: Envoy's advice for edge proxies (a stream 64 KiB, the protocol's default, a
     * connection 1 MiB). With the connection's window the protocol's 64 KiB too, one upload the proxy paused (its
     * upstream slow) held the whole window and every other request body on the connection waited for it.
     */
    static final int HTTP2_CONNECTION_WINDOW = 1 << 20;

    /** The server options for one listener socket. */
    public HttpServerOptions options(String host, int port) {
        HttpServerOptions options = new HttpServerOptions();
        // The same 60 KiB of headers over HTTP/2 (SETTINGS_MAX_HEADER_LIST_SIZE): Vert.x's 8 KiB answered 431, and
        // a header block much past it closed the client's whole connection.
        options.getInitialSettings().setMaxHeaderListSize(maxHeaderBytes);
        return options.setHttp2ConnectionWindowSize(HTTP2_CONNECTION_WINDOW).setHost(host).setPort(port)
                .setReusePort(true).setTcpNoDelay(true).setHttp2ClearTextEnabled(true)
                .setHandle100ContinueAutomatically(true)
                // Vert.x's own WebSocket compression handlers would sit in every connection's pipeline; this
                // server never terminates WebSockets.
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false)
                .setMaxHeaderSize(maxHeaderBytes).setMaxInitialLineLength(maxHeaderBytes)
                .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, idleTimeout.toSeconds()))
                .setIdleTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS);
    }

    /** Hooks the bound listener, so every connection it accepts is timed from its first byte, not its first head. */
    public void listening(HttpServer server) {
        if (!RequestHeadTimer.hook(server, headersTimeoutMillis, headersTimedOut)) {
            LOG.warnf("this Vert.x does not let the request-headers timeout in: slow request heads are not cut off");
        }
    }

    /** For each connection Vert.x makes: where it speaks HTTP/1, the timer learns from the decoder when requests end. */
    public void connected(HttpConnection connection) {
        RequestHeadTimer.connected(connection);
    }

    /** For each connection of an HTTPS listener: over HTTP/1, its request heads are timed too, past the TLS handler. */
    public void connectedTls(HttpConnection connection) {
        RequestHeadTimer.connectedTls(connection, headersTimeoutMillis, headersTimedOut);
    }

    /**
     * Keeps {@code connection} among those told to go away if it speaks HTTP/2; the set it is in (null: none), for
     * its close handler to take it out of: not through this bean, whose container is gone when the last close.
     */
    public java.util.Set<HttpConnection> track(HttpConnection connection) {
        if (connection instanceof io.vertx.core.http.impl.Http2ServerConnection) {
            long left = drainUntil - System.nanoTime();
            if (drainUntil != 0 && left > 0) {
                // Opened while the node drains (a client still routed here): told to go at once too.
                connection.shutdown(Math.max(1, left / 1_000_000), java.util.concurrent.TimeUnit.MILLISECONDS);
            }
            http2.add(connection);
            return http2;
        }
        return null;
    }


    /** HTTP/2 client connections open now. */
    public int http2Connections() {
        return http2.size();
    }

    /**
     * The node is stopping: each client's HTTP/2 connection gets a GOAWAY and closes once its streams end (or at
     * {@code deadline}), as Envoy drains: a gRPC channel then opens its next connection to another node instead of
     * starting calls here that the deadline would cut. (HTTP/1 clients learn it from readiness and the close.)
     */
    public void goAway(Duration deadline) {
        drainUntil = System.nanoTime() + Math.max(1, deadline.toNanos());
        for (HttpConnection c : http2) {
            try {
                c.shutdown(Math.max(1, deadline.toMillis()), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (RuntimeException e) {
                LOG.debugf("no GOAWAY for a connection: %s", e.getMessage());
            }
        }
    }

    public long requestHeadersTimeouts() {
        return headersTimedOut.sum();
    }
}
