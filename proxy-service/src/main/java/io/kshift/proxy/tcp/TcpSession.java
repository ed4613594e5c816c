package io.kshift.proxy.tcp;

import io.kshift.proxy.routing.RouteTarget;
import io.kshift.proxy.routing.Upstream;
import io.kshift.proxy.telemetry.TrafficStats;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * One client connection and its upstream. The destination was chosen at accept and never changes, so a weight
 * change cannot touch a live connection. The client is not read until an endpoint accepts; a refused or timed-out
 * endpoint is skipped for the next one of the same destination, up to {@code maxConnectAttempts} connection attempts
 * (ejected endpoints are passed over without one): trying every endpoint held a client for as many connect timeouts
 * (10 s each by default) as a destination had unreachable endpoints. Then bytes are relayed both ways with
 * backpressure; a FIN is passed on as a FIN (half-close), and the session closes when both directions are done or
 * either side closes or fails, when the destination's {@code maxConnectionDuration} is up, or when its listener
 * closes at its drain deadline. Everything runs on the client's event loop.
 */
final class TcpSession {
    private static final Logger LOG = Logger.getLogger(TcpSession.class);

    private final Channel client;
    private final RouteTarget target;
    /** The stats the connection was counted in on: its bytes and close go there too. */
    private final TrafficStats stats;
    private final UpstreamClients connector;
    private final int first;
    private final int maxConnectAttempts;
    private int connectAttempts;
    private final long openedAt = System.nanoTime();
    private ScheduledFuture<?> maxAgeTimer;
    private Relay fromClient;
    private Channel upstream;
    /**
     * An upstream connection being opened: its TLS handshake or its tunnel (the proxy's answer to CONNECT) not done
     * yet. A client that leaves meanwhile closes it.
     */
    private Channel opening;
    private boolean clientClosed;
    private int directionsDone;

    TcpSession(Channel client, RouteTarget target, TrafficStats stats, UpstreamClients connector,
               int maxConnectAttempts) {
        this.client = client;
        this.maxConnectAttempts = maxConnectAttempts;
        this.target = target;
        this.stats = stats;
        this.connector = connector;
        this.first = firstEndpoint(client, target);
    }

    /**
     * Where the connection tries first: by the client's address under {@code consistentHash.useSourceIp} (a
     * client's connections keep one endpoint, as Envoy's tcp_proxy hashes them; the HTTP keys have nothing to read
     * on a TCP connection), else by the destination's load balancer.
     */
    private static int firstEndpoint(Channel client, RouteTarget target) {
        var policy = target.destination().policy();
        var hash = policy == null || policy.loadBalancer() == null ? null : policy.loadBalancer().consistentHash();
        if (hash != null && Boolean.TRUE.equals(hash.useSourceIp())
                && client.remoteAddress() instanceof java.net.InetSocketAddress source && source.getAddress() != null) {
            return target.endpoints().firstFor(source.getAddress().getHostAddress());
        }
        return target.endpoints().first();
    }

    void start() {
        HalfClose.enable(client);
        idleTimeout(client, target.destination());
        fromClient = Relay.from(client);
        client.closeFuture().addListener(v -> {
            clientClosed = true;
            target.release();
            stats.connectionClosed((System.nanoTime() - openedAt) / 1_000_000);
            fromClient.discard();
            if (maxAgeTimer != null) {
                maxAgeTimer.cancel(false);
            }
            if (upstream != null) {
                closeAfterWrites(upstream);
            } else if (opening != null) {
                opening.close(); // its handshake or CONNECT is not waited for: no client is left to carry
            }
        });
        connect(0);
    }

    /**
     * Closes the connection after the destination's idle timeout (read out once per route table) with no byte read
     * or written on the client side, which every byte of the session passes: Netty's idle handler signals it, and
     * the client's {@link Relay} closes the connection on that signal; its close listener then closes the upstream.
     */
    private static void idleTimeout(Channel channel, io.kshift.model.registry.ResolvedDestination destination) {
        Duration idle = destination.idleTimeout();
        if (idle == null || idle.isZero()) {
            return; // 0s: no idle timeout, as in Envoy
        }
        channel.pipeline().addFirst("kshift-idle", new io.netty.handler.timeout.IdleStateHandler(0, 0,
                idle.toMillis(), TimeUnit.MILLISECONDS));
    }

    /**
     * Closes once what was written before has left (a close does not drop the last bytes relayed to a peer), or once
     * nothing has moved for the destination's idle timeout: the idle handler watched the client, and with the client
     * gone a peer that reads nothing would hold the socket (and its endpoint's count) for ever.
     */
    private void closeAfterWrites(Channel channel) {
        if (channel.isActive()) {
            Duration idle = target.destination().idleTimeout();
            if (idle != null && !idle.isZero() && channel.pipeline().get("kshift-idle") == null) {
                // Output observed: a peer that reads slowly but reads is not idle.
                channel.pipeline().addFirst("kshift-idle", new io.netty.handler.timeout.IdleStateHandler(true, 0, 0,
                        idle.toMillis(), TimeUnit.MILLISECONDS));
            }
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.close();
        }
    }

    private void connect(int attempt) {
        var endpoints = target.endpoints();
        if (attempt == endpoints.size() || connectAttempts == maxConnectAttempts) {
            LOG.debugf("no endpoint of %s accepted a connection", target.destination().service());
            stats.unserved("UF");
            client.close();
            return;
        }
        Upstream endpoint = endpoints.get(first + attempt);
        if (!endpoints.healthy(endpoint) && attempt < endpoints.size() - 1) {
            connect(attempt + 1);
            return;
        }
        connectAttempts++;
        connector.connect(client.eventLoop(), target.destination().connectTimeout(), endpoint.address().host(),
                endpoint.address().port()).addListener((ChannelFutureListener) ar -> {
            var outliers = endpoints.outliers();
            if (!ar.isSuccess()) {
                refused(endpoint, ar.cause(), attempt);
            } else if (clientClosed) {
                ar.channel().close();
            } else {
                announce(ar.channel());
                if (secured(endpoint, ar.channel())) {
                    handshaken(endpoint, ar.channel(), outliers, attempt);
                }
            }
        });
    }

    /**
     * Originated TLS: the endpoint has taken the connection once its handshake holds, as Envoy's TCP proxy and this
     * proxy's HTTP pools count it. A failed handshake (a certificate that does not check, a server that speaks no
     * TLS) is a refusal: counted against the endpoint, and the next one tried; relayed at once, the client was
     * closed with nothing, and the endpoint counted a success.
     */
    private void handshaken(Upstream endpoint, Channel channel, io.kshift.proxy.routing.OutlierDetector outliers,
                            int attempt) {
        io.netty.handler.ssl.SslHandler ssl = target.tls() == null ? null
                : channel.pipeline().get(io.netty.handler.ssl.SslHandler.class);
        if (ssl == null) {
            through(endpoint, channel, outliers, attempt);
            return;
        }
        opening = channel;
        // Until the relay takes over, a failed handshake's exception has no handler of ours to land in.
        channel.pipeline().addLast("kshift-handshake", HandshakeFailureSeen.INSTANCE);
        ssl.handshakeFuture().addListener(done -> {
            opening = null;
            if (clientClosed) {
                channel.close();
            } else if (done.isSuccess()) {
                channel.pipeline().remove(HandshakeFailureSeen.INSTANCE); // the relay goes last, and handles errors
                through(endpoint, channel, outliers, attempt);
            } else {
                channel.close();
                refused(endpoint, done.cause(), attempt);
            }
        });
    }

    /**
     * Takes the exception a failed handshake fires after failing its future (which reports it, above), so it is
     * not logged as unhandled at the pipeline's end.
     */
    @io.netty.channel.ChannelHandler.Sharable
    private static final class HandshakeFailureSeen extends io.netty.channel.ChannelInboundHandlerAdapter {
        static final HandshakeFailureSeen INSTANCE = new HandshakeFailureSeen();

        @Override
        public void exceptionCaught(io.netty.channel.ChannelHandlerContext ctx, Throwable cause) {
            LOG.debugf("TLS toward an endpoint failed: %s", cause.getMessage());
        }
    }

    /** The connection relayed, once the destination's tunnel (if it has one) is open through it. */
    private void through(Upstream endpoint, Channel channel, io.kshift.proxy.routing.OutlierDetector outliers,
                         int attempt) {
        var tunnel = target.destination().policy() == null ? null : target.destination().policy().tunnel();
        if (tunnel == null) {
            connected(endpoint, channel, outliers);
            return;
        }
        opening = channel;
        Tunnel.open(channel, tunnel.authority(), target.destination().connectTimeout()).addListener(opened -> {
            opening = null;
            if (clientClosed) {
                channel.close(); // the client left: whatever the tunnel did, the endpoint is not to blame
            } else if (opened.isSuccess()) {
                connected(endpoint, channel, outliers);
                Tunnel.handOver(channel);
            } else {
                refused(endpoint, opened.cause(), attempt);
            }
        });
    }

    private void connected(Upstream endpoint, Channel channel, io.kshift.proxy.routing.OutlierDetector outliers) {
        if (outliers != null) {
            outliers.success(endpoint);
        }
        relay(endpoint, channel);
    }

    /** An endpoint that did not take the connection (or its tunnel): counted, and the next one tried. */
    private void refused(Upstream endpoint, Throwable cause, int attempt) {
        LOG.debugf("endpoint %s refused: %s", endpoint, cause.getMessage());
        stats.connectFailure(cause);
        var outliers = target.endpoints().outliers();
        if (outliers != null) {
            outliers.localFailure(endpoint);
        }
        if (!clientClosed) {
            connect(attempt + 1); // a client that left needs no next endpoint
        }
    }

    /**
     * The PROXY protocol header (DestinationRule {@code proxyProtocol}), written before anything else on the
     * connection: ahead of originated TLS and of a tunnel's CONNECT, as Envoy's transport socket writes it.
     */
    private void announce(Channel channel) {
        var proxy = target.destination().policy() == null ? null : target.destination().policy().proxyProtocol();
        if (proxy != null) {
            channel.writeAndFlush(io.netty.buffer.Unpooled.wrappedBuffer(ProxyProtocolHeader.encode(proxy.number(),
                    client.remoteAddress(), client.localAddress())));
        }
    }

    /**
     * Originated TLS (DestinationRule tls): first in the pipeline, so bytes written (a tunnel's CONNECT, the
     * client's) wait for the handshake. False, and both sides closed, where its settings do not read.
     */
    private boolean secured(Upstream endpoint, Channel channel) {
        if (target.tls() == null) {
            return true;
        }
        try {
            io.netty.handler.ssl.SslHandler ssl = target.tls().handler(channel.alloc(), endpoint.address().port());
            // Envoy's connect timeout covers the upstream's TLS handshake too: a silent endpoint costs one timeout.
            // Set before the handler goes in: the handshake (and its timer) starts as it does.
            ssl.setHandshakeTimeoutMillis(Math.max(1, target.destination().connectTimeout().toMillis()));
            channel.pipeline().addFirst("kshift-tls", ssl);
            return true;
        } catch (RuntimeException e) {
            LOG.debugf("no TLS toward %s: %s", target.destination().service(), e.getMessage());
            channel.close();
            client.close();
            return false;
        }
    }

    private void relay(Upstream endpoint, Channel channel) {
        upstream = channel;
        io.kshift.proxy.routing.TcpKeepalives.apply(io.kshift.proxy.routing.TcpKeepalives.of(target.destination()),
                channel);
        endpoint.opened();
        HalfClose.enable(channel);
        channel.closeFuture().addListener(v -> {
            endpoint.closed();
            closeAfterWrites(client);
        });
        Relay fromUpstream = Relay.from(channel);
        fromUpstream.to(client, fromClient, this::directionDone, stats.bytesFromUpstream());
        fromClient.to(channel, fromUpstream, this::directionDone, stats.bytesFromClient());
        Duration maxAge = target.destination().maxConnectionDuration();
        if (maxAge != null && !clientClosed) { // passing on held reads may have failed and closed both already
            maxAgeTimer = client.eventLoop().schedule(this::close, Math.max(1, maxAge.toMillis()),
                    TimeUnit.MILLISECONDS);
        }
    }

    private void close() {
        closeAfterWrites(client);
        if (upstream != null) {
            closeAfterWrites(upstream);
        }
    }

    private void directionDone() {
        if (++directionsDone == 2) {
            close();
        }
    }
}
