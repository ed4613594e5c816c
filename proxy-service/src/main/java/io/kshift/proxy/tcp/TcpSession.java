package io.kshift.proxy.tcp;

import io.kshift.proxy.routing.RouteTarget;
import io.kshift.proxy.routing.Upstream;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * One client connection and its upstream. The destination was chosen at accept and never changes, so a weight
 * change cannot touch a live connection. The client is not read until an endpoint accepts; a refused or timed-out
 * endpoint is skipped for the next one of the same destination. Then bytes are relayed both ways with
 * backpressure; a FIN is passed on as a FIN (half-close), and the session closes when both directions are done or
 * either side closes or fails, when the destination's {@code maxConnectionDuration} is up, or when its listener
 * closes at its drain deadline. Everything runs on the client's event loop.
 */
final class TcpSession {
    private static final Logger LOG = Logger.getLogger(TcpSession.class);

    private final NetSocket client;
    private final RouteTarget target;
    private final UpstreamClients connector;
    private final Vertx vertx;
    private final int first;
    private final long openedAt = System.nanoTime();
    private long maxAgeTimer = -1;
    private Relay fromClient;
    private NetSocket upstream;
    private boolean clientClosed;
    private int directionsDone;

    TcpSession(NetSocket client, RouteTarget target, UpstreamClients connector, Vertx vertx) {
        this.client = client;
        this.target = target;
        this.connector = connector;
        this.vertx = vertx;
        this.first = target.endpoints().first();
    }

    void start() {
        HalfClose.enable(client);
        idleTimeout(client, target.destination());
        fromClient = Relay.from(client);
        client.closeHandler(v -> {
            clientClosed = true;
            target.release();
            target.stats().connectionClosed((System.nanoTime() - openedAt) / 1_000_000);
            fromClient.discard();
            if (maxAgeTimer >= 0) {
                vertx.cancelTimer(maxAgeTimer);
            }
            if (upstream != null) {
                upstream.close();
            }
        });
        client.exceptionHandler(e -> client.close());
        connect(0);
    }

    /**
     * Closes the connection after the destination's idle timeout (read out once per route table) with no byte read
     * or written on the client side, which every byte of the session passes: Netty's idle handler signals it, and
     * Vert.x closes a connection on that signal; the close handler then closes the upstream too.
     */
    private static void idleTimeout(NetSocket socket, io.kshift.model.registry.ResolvedDestination destination) {
        Duration idle = destination.idleTimeout();
        if (idle == null || idle.isZero()) {
            return; // 0s: no idle timeout, as in Envoy
        }
        ((io.vertx.core.net.impl.NetSocketInternal) socket).channelHandlerContext().pipeline().addFirst(
                "kshift-idle", new io.netty.handler.timeout.IdleStateHandler(0, 0, idle.toMillis(),
                        java.util.concurrent.TimeUnit.MILLISECONDS));
    }

    private void connect(int attempt) {
        var endpoints = target.endpoints();
        if (attempt == endpoints.size()) {
            LOG.debugf("no endpoint of %s accepted a connection", target.destination().service());
            client.close();
            return;
        }
        Upstream endpoint = endpoints.get(first + attempt);
        if (!endpoints.healthy(endpoint) && attempt < endpoints.size() - 1) {
            connect(attempt + 1);
            return;
        }
        var context = ((io.vertx.core.net.impl.ConnectionBase) client).getContext();
        connector.connect(context, target.destination().connectTimeout(), endpoint.address().host(),
                endpoint.address().port()).onComplete(ar -> {
            var outliers = endpoints.outliers();
            if (ar.failed()) {
                LOG.debugf("endpoint %s refused: %s", endpoint, ar.cause().getMessage());
                target.stats().connectFailure(ar.cause());
                if (outliers != null) {
                    outliers.failure(endpoint, true, true);
                }
                if (!clientClosed) {
                    connect(attempt + 1); // a client that left needs no next endpoint
                }
            } else if (clientClosed) {
                ar.result().close();
            } else {
                if (outliers != null) {
                    outliers.success(endpoint);
                }
                relay(endpoint, ar.result());
            }
        });
    }

    private void relay(Upstream endpoint, NetSocket socket) {
        upstream = socket;
        io.netty.channel.Channel channel = ((io.vertx.core.net.impl.NetSocketInternal) socket).channelHandlerContext()
                .channel();
        io.kshift.proxy.routing.TcpKeepalives.apply(io.kshift.proxy.routing.TcpKeepalives.of(target.destination()),
                channel);
        if (target.tls() != null) {
            // Originated TLS (DestinationRule tls): in front of the relay, so bytes written wait for the handshake.
            try {
                channel.pipeline().addFirst("kshift-tls", target.tls().handler(channel.alloc(),
                        endpoint.address().port()));
            } catch (RuntimeException e) {
                LOG.debugf("no TLS toward %s: %s", target.destination().service(), e.getMessage());
                socket.close();
                client.close();
                return;
            }
        }
        endpoint.opened();
        HalfClose.enable(socket);
        socket.closeHandler(v -> {
            endpoint.closed();
            client.close();
        });
        socket.exceptionHandler(e -> socket.close());
        Relay.from(socket).to(client, this::directionDone, target.stats().bytesFromUpstream());
        fromClient.to(socket, this::directionDone, target.stats().bytesFromClient());
        Duration maxAge = target.destination().maxConnectionDuration();
        if (maxAge != null) {
            maxAgeTimer = vertx.setTimer(Math.max(1, maxAge.toMillis()), id -> close());
        }
    }

    private void close() {
        client.close();
        if (upstream != null) {
            upstream.close();
        }
    }

    private void directionDone() {
        if (++directionsDone == 2) {
            client.close();
            upstream.close();
        }
    }
}
