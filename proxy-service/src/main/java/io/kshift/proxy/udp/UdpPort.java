package io.kshift.proxy.udp;

import io.kshift.proxy.config.RouteTableHolder;
import io.kshift.proxy.routing.ListenerRoute;
import io.kshift.proxy.routing.RouteTable;
import io.kshift.proxy.routing.RouteTarget;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * One UDP listener port, on one event loop (the socket's context; every field but {@link #bound} is touched there
 * only). A datagram from a client address and port that has no session starts one: the route table is read once,
 * the destination picked by the route's exact weights, an endpoint by the destination's load balancer (skipping
 * ejected ones), its address resolved once, and a socket of its own opened toward it, so the endpoint's answers come
 * back to this session and are sent to its client from the listener's port. Only datagrams from the endpoint's own
 * address and port are answers. A session keeps its destination across weight changes; when a newer table no longer
 * has its endpoint in its destination, the session ends and the client's next datagram starts a new one. A session
 * with no datagram either way for the idle timeout (Envoy's UDP proxy default, 60 s) ends; beyond
 * {@code maxSessions} new clients' datagrams are dropped. Sessions count as connections in telemetry, with the bytes
 * relayed both ways.
 */
final class UdpPort {
    private static final Logger LOG = Logger.getLogger(UdpPort.class);
    /** Datagrams a session holds while its endpoint resolves and its socket opens, and their bytes at most. */
    private static final int PENDING = 64;
    private static final int PENDING_BYTES = 256 * 1024;
    /**
     * The largest datagram read whole: IPv4's and IPv6's UDP payload limit. Netty reads datagrams into a fixed 2 KiB
     * buffer unless told otherwise, and the kernel cuts a longer one to fit without a word (a 4 KiB EDNS0 DNS answer
     * arrived as its first 2 KiB). Vert.x sets the read size only with the socket's receive buffer, so this is
     * SO_RCVBUF too (the kernel doubles it: 128 KiB).
     */
    static final int MAX_DATAGRAM = 65_535;

    record Limits(Duration idle, int maxSessions) {
    }

    private final Vertx vertx;
    private final int port;
    private final RouteTableHolder tables;
    private final Limits limits;
    private final Map<SocketAddress, Session> sessions = new HashMap<>();
    /** Completes when the port listens (or fails to). */
    final Future<DatagramSocket> bound;
    private DatagramSocket socket;
    private Context context;
    private long sweeper = -1;
    private boolean closed;

    UdpPort(Vertx vertx, String bindHost, int port, RouteTableHolder tables, Limits limits) {
        this.vertx = vertx;
        this.port = port;
        this.tables = tables;
        this.limits = limits;
        // SO_REUSEPORT, as the TCP listeners: nodes sharing a host each bind the port.
        DatagramSocket s = vertx.createDatagramSocket(new DatagramSocketOptions().setReuseAddress(true)
                .setReusePort(true).setReceiveBufferSize(MAX_DATAGRAM));
        this.bound = s.listen(port, bindHost).onSuccess(listening -> {
            context = vertx.getOrCreateContext();
            socket = listening;
            listening.handler(this::fromClient);
            long tick = Math.max(100, Math.min(1000, limits.idle().toMillis() / 4));
            sweeper = vertx.setPeriodic(tick, id -> sweep());
            LOG.infof("listening on udp:%d", port);
        }).onFailure(e -> {
            // Netty leaves a channel that failed to bind open and registered: each later build would leak one.
            s.close();
            LOG.errorf("cannot listen on udp:%d: %s", port, e.getMessage());
        });
    }

    /**
     * Clients whose session drew the share of a destination this node could not resolve: their datagrams are dropped
     * while the route's picker is the one they drew from (it carries over while the route's targets and weights
     * stay; a new pick per datagram or per generation would move that share to the others), forgotten as idle
     * sessions are.
     */
    private final Map<SocketAddress, Unserved> unserved = new HashMap<>();

    private static final class Unserved {
        final io.kshift.proxy.routing.WeightedPicker picker;
        long lastActive = System.nanoTime();

        Unserved(io.kshift.proxy.routing.WeightedPicker picker) {
            this.picker = picker;
        }
    }

    private void fromClient(DatagramPacket packet) {
        if (closed) {
            return;
        }
        RouteTable table = tables.get();
        Unserved dropped = unserved.get(packet.sender());
        if (dropped != null) {
            if (table.udpRoute(port).map(ListenerRoute::picker).orElse(null) == dropped.picker) {
                dropped.lastActive = System.nanoTime();
                return;
            }
            unserved.remove(packet.sender());
        }
        Session session = sessions.get(packet.sender());
        if (session != null && session.generation != table.generation() && !session.stillServed(table)) {
            sessions.remove(packet.sender());
            session.close();
            session = null;
        }
        if (session == null) {
            if (sessions.size() + unserved.size() >= limits.maxSessions()) {
                return; // over the limit: dropped, as a full table drops
            }
            Optional<ListenerRoute> route = table.udpRoute(port);
            if (route.isEmpty()) {
                return;
            }
            var target = route.get().pick();
            if (target == null) {
                unserved.put(packet.sender(), new Unserved(route.get().picker()));
                return;
            }
            session = new Session(packet.sender(), target, table.generation());
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
        unserved.values().removeIf(d -> now - d.lastActive > idle);
    }

    /** Closes the port and every session, once it listens (called from any thread). */
    void close() {
        bound.onSuccess(listening -> context.runOnContext(v -> {
            closed = true;
            if (sweeper >= 0) {
                vertx.cancelTimer(sweeper);
            }
            sessions.values().forEach(Session::close);
            sessions.clear();
            unserved.clear();
            listening.close();
        }));
    }

    /** One client's datagrams to one endpoint of its destination, and the endpoint's answers back. */
    private final class Session {
        private final SocketAddress client;
        private final RouteTarget target;
        /** The stats the session was counted in on: its datagrams and close go there too. */
        private final io.kshift.proxy.telemetry.TrafficStats stats;
        private final io.kshift.proxy.routing.Upstream endpoint;
        private final long started = System.nanoTime();
        /** The table generation this session last checked its endpoint against. */
        long generation;
        long lastActive = started;
        private InetAddress resolved;
        private DatagramSocket upstream;
        private ArrayDeque<Buffer> pending = new ArrayDeque<>();
        private int pendingBytes;
        private boolean over;

        Session(SocketAddress client, RouteTarget target, long generation) {
            this.client = client;
            this.target = target;
            this.generation = generation;
            this.endpoint = endpoint(target);
            target.connections().increment();
            this.stats = target.openConnection();
            endpoint.opened();
            String host = endpoint.address().host();
            // A promise of the port's context: what follows runs on its loop, as the rest of the session does.
            io.vertx.core.Promise<InetAddress> address = ((io.vertx.core.impl.ContextInternal) context).promise();
            ((io.vertx.core.impl.VertxInternal) vertx).resolveAddress(host, address);
            address.future()
                    .compose(ip -> {
                        resolved = ip;
                        io.vertx.core.datagram.DatagramSocket socket = vertx.createDatagramSocket(
                                new DatagramSocketOptions().setIpV6(ip instanceof java.net.Inet6Address)
                                        .setReceiveBufferSize(MAX_DATAGRAM));
                        // A bind that fails leaves the socket's channel open: closed here, or each datagram of
                        // the client (a new session each time) leaked a descriptor once ports ran out.
                        return socket.listen(0, ip instanceof java.net.Inet6Address ? "::" : "0.0.0.0")
                                .onFailure(e -> socket.close());
                    })
                    .onSuccess(s -> {
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
                    })
                    .onFailure(e -> {
                        LOG.warnf("udp:%d: no way to %s: %s", port, endpoint.address(), e.getMessage());
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

        /**
         * Whether this session may go on under {@code table}: the port's route still names the session's destination,
         * and the session's endpoint is still one of its (a weight change, even to 0, keeps it, as it keeps a TCP
         * connection; a destination the route no longer names, a removed endpoint, subset or service does not: a
         * client sending every few seconds stayed on a backend the route had left for as long as it kept sending).
         */
        boolean stillServed(RouteTable table) {
            var d = target.destination();
            boolean served = table.udpRoute(port).map(r -> r.names(d.key())).orElse(false);
            if (served) {
                var now = table.resolver().resolve(d.service(), d.subset(), d.port(), d.namespace());
                served = now.ok() && now.destination().endpoints().contains(endpoint.address());
            }
            if (served) {
                generation = table.generation();
            }
            return served;
        }

        void fromClient(Buffer data) {
            lastActive = System.nanoTime();
            if (upstream == null) {
                if (pending != null && pending.size() < PENDING && pendingBytes + data.length() <= PENDING_BYTES) {
                    pending.add(data);
                    pendingBytes += data.length();
                    stats.bytesFromClient().add(data.length());
                }
                return;
            }
            stats.bytesFromClient().add(data.length());
            send(data);
        }

        private void send(Buffer data) {
            upstream.send(data, endpoint.address().port(), resolved.getHostAddress());
        }

        /** Only the endpoint's own datagrams (its address and port) are answers: others are dropped. */
        private void fromUpstream(DatagramPacket packet) {
            if (over || packet.sender().port() != endpoint.address().port()
                    || !sameHost(packet.sender().host(), resolved)) {
                return;
            }
            lastActive = System.nanoTime();
            stats.bytesFromUpstream().add(packet.data().length());
            socket.send(packet.data(), client.port(), client.host());
        }

        private static boolean sameHost(String sender, InetAddress expected) {
            // Both are Java's textual form of a literal address (no lookup).
            return expected.getHostAddress().equals(sender);
        }

        void close() {
            if (over) {
                return;
            }
            over = true;
            endpoint.closed();
            stats.connectionClosed((System.nanoTime() - started) / 1_000_000);
            if (upstream != null) {
                upstream.close();
            }
        }
    }
}
