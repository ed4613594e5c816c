package io.kshift.proxy.udp;

import io.kshift.proxy.config.RouteTableHolder;
import io.kshift.proxy.routing.ListenerRoute;
import io.kshift.proxy.routing.RouteTarget;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.SocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * One UDP listener port, on one event loop (the socket's context; every field is touched there only). A datagram
 * from a client address and port that has no session starts one: the route table is read once, the destination
 * picked by the route's exact weights, an endpoint by the destination's load balancer (skipping ejected ones), and a
 * socket of its own opened toward it, so the endpoint's answers come back to this session and are sent to its client
 * from the listener's port. A session with no datagram either way for the idle timeout (Envoy's UDP proxy default,
 * 60 s) ends; beyond {@code maxSessions} new clients' datagrams are dropped. Sessions count as connections in
 * telemetry, with their bytes both ways.
 */
final class UdpPort {
    private static final Logger LOG = Logger.getLogger(UdpPort.class);
    /** Datagrams a session holds while its upstream socket opens. */
    private static final int PENDING = 64;

    record Limits(Duration idle, int maxSessions) {
    }

    private final Vertx vertx;
    private final int port;
    private final RouteTableHolder tables;
    private final Limits limits;
    private final Map<SocketAddress, Session> sessions = new HashMap<>();
    private DatagramSocket socket;
    private Context context;
    private long sweeper = -1;
    private boolean closed;

    UdpPort(Vertx vertx, String bindHost, int port, RouteTableHolder tables, Limits limits) {
        this.vertx = vertx;
        this.port = port;
        this.tables = tables;
        this.limits = limits;
        DatagramSocket s = vertx.createDatagramSocket(new DatagramSocketOptions().setReuseAddress(true));
        s.listen(port, bindHost).onSuccess(bound -> {
            context = Vertx.currentContext();
            socket = bound;
            if (closed) {
                bound.close();
                return;
            }
            bound.handler(this::fromClient);
            long tick = Math.max(100, Math.min(1000, limits.idle().toMillis() / 4));
            sweeper = vertx.setPeriodic(tick, id -> sweep());
            LOG.infof("listening on udp:%d", port);
        }).onFailure(e -> LOG.errorf("cannot listen on udp:%d: %s", port, e.getMessage()));
    }

    private void fromClient(DatagramPacket packet) {
        Session session = sessions.get(packet.sender());
        if (session == null) {
            if (sessions.size() >= limits.maxSessions()) {
                return; // over the limit: dropped, as a full table drops
            }
            Optional<ListenerRoute> route = tables.get().udpRoute(port);
            if (route.isEmpty()) {
                return;
            }
            session = new Session(packet.sender(), route.get().pick());
            sessions.put(packet.sender(), session);
        }
        session.fromClient(packet.data());
    }

    private void sweep() {
        long now = System.nanoTime();
        long idle = limits.idle().toNanos();
        for (Iterator<Session> it = sessions.values().iterator(); it.hasNext(); ) {
            Session s = it.next();
            if (now - s.lastActive > idle) {
                it.remove();
                s.close();
            }
        }
    }

    /** Closes the port and every session (called from any thread). */
    void close() {
        Context c = context;
        if (c == null) {
            closed = true;
            return;
        }
        c.runOnContext(v -> {
            closed = true;
            if (sweeper >= 0) {
                vertx.cancelTimer(sweeper);
            }
            sessions.values().forEach(Session::close);
            sessions.clear();
            socket.close();
        });
    }

    /** One client's datagrams to one endpoint of its destination, and the endpoint's answers back. */
    private final class Session {
        private final SocketAddress client;
        private final RouteTarget target;
        private final io.kshift.proxy.routing.Upstream endpoint;
        private final long started = System.nanoTime();
        private long lastActive = started;
        private DatagramSocket upstream;
        private java.util.ArrayDeque<Buffer> pending = new java.util.ArrayDeque<>();
        private boolean over;

        Session(SocketAddress client, RouteTarget target) {
            this.client = client;
            this.target = target;
            this.endpoint = endpoint(target);
            target.connections().increment();
            target.stats().connectionOpened();
            endpoint.opened();
            vertx.createDatagramSocket().listen(0, "0.0.0.0").onSuccess(s -> {
                if (over) {
                    s.close();
                    return;
                }
                upstream = s;
                s.handler(this::fromUpstream);
                for (Buffer b; (b = pending.poll()) != null; ) {
                    send(b);
                }
                pending = null;
            }).onFailure(e -> {
                LOG.warnf("udp:%d: no socket toward %s: %s", port, endpoint.address(), e.getMessage());
                sessions.remove(client, this);
                close();
            });
        }

        private static io.kshift.proxy.routing.Upstream endpoint(RouteTarget target) {
            var endpoints = target.endpoints();
            int first = endpoints.first();
            for (int i = 0; i < endpoints.size(); i++) {
                var u = endpoints.get(first + i);
                if (endpoints.healthy(u)) {
                    return u;
                }
            }
            return endpoints.get(first);
        }

        void fromClient(Buffer data) {
            lastActive = System.nanoTime();
            target.stats().bytesFromClient().add(data.length());
            if (upstream == null) {
                if (pending != null && pending.size() < PENDING) {
                    pending.add(data);
                }
                return;
            }
            send(data);
        }

        private void send(Buffer data) {
            upstream.send(data, endpoint.address().port(), endpoint.address().host());
        }

        /** Only the endpoint's own datagrams are answers: anything else reaching this socket is dropped. */
        private void fromUpstream(DatagramPacket packet) {
            if (over || packet.sender().port() != endpoint.address().port()) {
                return;
            }
            lastActive = System.nanoTime();
            target.stats().bytesFromUpstream().add(packet.data().length());
            socket.send(packet.data(), client.port(), client.host());
        }

        void close() {
            if (over) {
                return;
            }
            over = true;
            endpoint.closed();
            target.stats().connectionClosed((System.nanoTime() - started) / 1_000_000);
            if (upstream != null) {
                upstream.close();
            }
        }
    }
}
