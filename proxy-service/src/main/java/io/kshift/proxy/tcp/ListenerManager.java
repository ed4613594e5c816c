package io.kshift.proxy.tcp;

import io.kshift.proxy.http.HttpListenerServers;
import io.kshift.proxy.http.HttpListenerSettings;
import io.kshift.proxy.http.HttpProxy;
import io.kshift.proxy.routing.ListenerProtocol;
import io.kshift.proxy.routing.ListenerSpec;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Opens and closes the data listeners as gateways come and go: TCP ports relay connections ({@link TcpProxy}),
 * HTTP ports serve HTTP/1.1 and cleartext HTTP/2 ({@link HttpProxy}). Each port is bound with SO_REUSEPORT, so
 * several proxy nodes on one machine share it and the kernel spreads connections between them; inside a node, one
 * server per acceptor event loop spreads them across cores (TCP and TLS ports: a listening socket per loop,
 * accepted on that loop, see {@link LoopAcceptor}; HTTP ports: Vert.x's shared server). A removed port routes nothing
 * new at once (it is gone from the route table), while its live connections go on until the drain deadline
 * ({@code kshift.proxy.drain-timeout}); then the servers close, and so do the connections they accepted (TCP and
 * TLS at once, whatever they still had to send; HTTP by Vert.x).
 * A port that comes back, with the same protocol, before the deadline keeps its servers and connections.
 */
@ApplicationScoped
public class ListenerManager {
    private static final Logger LOG = Logger.getLogger(ListenerManager.class);

    private final Vertx vertx;
    private final TcpProxy tcp;
    private final String bindHost;
    private final int acceptors;
    private final java.time.Duration drainTimeout;
    private final HttpListenerServers httpMaker;
    private final ListenerConnections limits;
    private final Map<Integer, Bound> open = new TreeMap<>();
    private final Map<Integer, Draining> draining = new TreeMap<>();
    /**
     * Ports the table wants that could not be bound (in use by another process, a privileged port): tried again
     * every {@value #RETRY_MILLIS} ms, not only when the next generation comes, which may be hours away.
     */
    private final Map<Integer, ListenerSpec> unbound = new TreeMap<>();
    private volatile long retryTimer = -1;
    private volatile boolean stopping;
    static final long RETRY_MILLIS = 5_000;
    private List<Context> contexts;
    private int meshPort;

    /** {@code servers}: an HTTP port's Vert.x servers, whose certificates can change in place. */
    private record Bound(ListenerSpec spec, List<Supplier<Future<Void>>> closers,
                         List<io.vertx.core.http.HttpServer> servers) {
        Bound with(ListenerSpec next) {
            return new Bound(next, closers, servers);
        }
    }

    private record Draining(Bound bound, long timer) {
    }

    private final io.kshift.proxy.config.RouteTableHolder tables;
    private final long helloTimeoutMillis;

    public ListenerManager(Vertx vertx, TcpProxy tcp, HttpProxy http, ListenerConnections limits,
                           io.kshift.proxy.config.RouteTableHolder tables,
                           @ConfigProperty(name = "kshift.proxy.tls.client-hello-timeout", defaultValue = "10s")
                           java.time.Duration helloTimeout,
                           @ConfigProperty(name = "kshift.proxy.bind-host", defaultValue = "0.0.0.0") String bindHost,
                           @ConfigProperty(name = "kshift.proxy.acceptors", defaultValue = "0") int acceptors,
                           @ConfigProperty(name = "kshift.proxy.drain-timeout", defaultValue = "30s")
                           java.time.Duration drainTimeout,
                           HttpListenerSettings httpSettings) {
        this.httpMaker = new HttpListenerServers(vertx, http, httpSettings);
        this.limits = limits;
        this.tables = tables;
        this.helloTimeoutMillis = helloTimeout.toMillis();
        this.vertx = vertx;
        this.tcp = tcp;
        this.drainTimeout = drainTimeout;
        this.bindHost = bindHost;
        // 0: one per core, as Envoy runs one worker per core.
        this.acceptors = acceptors > 0 ? acceptors : Runtime.getRuntime().availableProcessors();
    }

    /**
     * Makes the open listeners exactly {@code ports}; returns the ports listening afterwards with what they serve. An
     * HTTPS port whose certificates changed keeps its sockets and connections: new handshakes get the new ones.
     */
    public synchronized Map<Integer, ListenerSpec> reconcile(Map<Integer, ListenerSpec> ports) {
        for (Integer port : List.copyOf(open.keySet())) {
            Bound bound = open.get(port);
            ListenerSpec want = ports.get(port);
            if (want == null || want.reopens(bound.spec())) {
                drain(port, open.remove(port));
            } else {
                if (!java.util.Objects.equals(want.tls(), bound.spec().tls())) {
                    rotate(port, bound, want);
                }
                // Kept up to date whatever changed: the next reopen decision compares with what runs now.
                open.put(port, bound.with(want.remembering(bound.spec())));
            }
        }
        for (Map.Entry<Integer, ListenerSpec> p : ports.entrySet()) {
            if (meshPort > 0 && p.getKey() == meshPort) {
                // Both would take the port's connections in turn (SO_REUSEPORT); the mesh listener keeps it.
                LOG.errorf("gateway port %d is this node's mesh port; not opened as a gateway listener", meshPort);
                continue;
            }
            Draining back = open.containsKey(p.getKey()) ? null : draining.remove(p.getKey());
            if (back != null) {
                vertx.cancelTimer(back.timer());
                if (!p.getValue().reopens(back.bound().spec())) {
                    if (!java.util.Objects.equals(p.getValue().tls(), back.bound().spec().tls())) {
                        rotate(p.getKey(), back.bound(), p.getValue());
                    }
                    open.put(p.getKey(), back.bound().with(p.getValue().remembering(back.bound().spec())));
                } else {
                    // Both would hold the port (SO_REUSEPORT): the old protocol's servers go now, and are gone before
                    // the new ones listen: Vert.x shares an HTTP server by host and port, and a new server that found
                    // the old one still registered would join it (its TLS and client auth) and close with it.
                    closeNow(p.getKey(), back.bound());
                }
            }
            if (!open.containsKey(p.getKey())) {
                listen(p.getKey(), p.getValue(), p.getKey());
            }
        }
        unbound.clear();
        for (Map.Entry<Integer, ListenerSpec> p : ports.entrySet()) {
            if (!open.containsKey(p.getKey()) && !(meshPort > 0 && p.getKey() == meshPort)) {
                unbound.put(p.getKey(), p.getValue());
            }
        }
        retryLater();
        Map<Integer, ListenerSpec> now = new TreeMap<>();
        open.forEach((port, bound) -> now.put(port, bound.spec()));
        publishNames();
        return now;
    }

    /** Keeps trying the ports that did not bind while there are any. */
    private void retryLater() {
        if (unbound.isEmpty() || retryTimer >= 0 || stopping) {
            return;
        }
        // Off the event loops: a bind waits for every loop to take its socket.
        retryTimer = vertx.setTimer(RETRY_MILLIS, id -> vertx.executeBlocking(() -> {
            retryUnbound();
            return null;
        }, false));
    }

    private synchronized void retryUnbound() {
        retryTimer = -1;
        if (stopping) {
            return;
        }
        try {
            for (Map.Entry<Integer, ListenerSpec> p : List.copyOf(unbound.entrySet())) {
                if (!open.containsKey(p.getKey())) {
                    listen(p.getKey(), p.getValue(), p.getKey());
                }
                if (open.containsKey(p.getKey())) {
                    unbound.remove(p.getKey());
                }
            }
            publishNames();
        } finally {
            retryLater();
        }
    }

    /** A stopping node binds nothing more: a port bound during the drain would take connections it must not. */
    void stopRetrying(@Observes @jakarta.annotation.Priority(0) io.quarkus.runtime.ShutdownEvent event) {
        // Not under the lock: a bind in progress may hold it for seconds, and readiness must fall at once.
        stopping = true;
        long timer = retryTimer;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /** New certificates for new handshakes; live connections keep theirs (Vert.x swaps its TLS context). */
    private void rotate(int port, Bound bound, ListenerSpec next) {
        for (io.vertx.core.http.HttpServer server : bound.servers()) {
            server.updateSSLOptions(next.tls().vertx()).onComplete(r -> {
                if (r.failed()) {
                    LOG.errorf("port %d keeps its previous certificates: %s", port, r.cause().getMessage());
                }
            });
        }
        LOG.infof("listener %s:%d: certificates updated for new connections", next.name(), port);
    }

    /**
     * The mesh HTTP listener ({@code kshift.proxy.mesh-http-port}; 0, the default, means none): sidecar-style
     * routing by Host for VirtualServices bound to {@code mesh}, open for the node's life.
     */
    void start(@Observes StartupEvent event,
               @ConfigProperty(name = "kshift.proxy.mesh-http-port", defaultValue = "0") int meshPort) {
        if (meshPort > 0) {
            synchronized (this) {
                listen(meshPort, ListenerSpec.of(ListenerProtocol.HTTP), HttpProxy.MESH);
                this.meshPort = meshPort;
                publishNames();
            }
        }
    }

    /**
     * A port's servers being closed, until they are: a listener made on the port waits for them, as Vert.x shares an
     * HTTP server by host and port and a new server joining a closing one would close with it.
     */
    private final Map<Integer, Future<?>> closing = new java.util.concurrent.ConcurrentHashMap<>();

    /** Closes a listener's servers; the port counts as closing until they all have. */
    private Future<?> close(int port, Bound bound) {
        List<Future<?>> closed = new ArrayList<>();
        bound.closers().forEach(c -> closed.add(c.get()));
        Future<?> all = Future.all(closed);
        closing.put(port, all);
        all.onComplete(r -> closing.remove(port, all));
        return all;
    }

    /** Closes a listener's servers and waits (10 s at most) until they no longer hold the port. */
    private void closeNow(int port, Bound bound) {
        close(port, bound);
        awaitClosed(port);
    }

    private void awaitClosed(int port) {
        Future<?> pending = closing.get(port);
        if (pending == null) {
            return;
        }
        try {
            pending.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warnf("port %d's old servers did not close in 10 s (%s); listening anew all the same", port,
                    e.getCause() == null ? e : e.getCause());
        }
    }

    private void drain(int port, Bound bound) {
        LOG.infof("listener %s:%d removed; its connections drain for %s", bound.spec().name(), port, drainTimeout);
        Draining previous = draining.remove(port);
        if (previous != null) {
            vertx.cancelTimer(previous.timer());
            close(port, previous.bound());
        }
        // The deadline's work takes this manager's lock, which a reconcile holds while it waits (up to 10 s) for
        // ports to bind on the event loops: so it runs on a worker, never blocking a loop (the one a bind needs).
        long timer = vertx.setTimer(Math.max(1, drainTimeout.toMillis()), id -> vertx.executeBlocking(() -> {
            synchronized (this) {
                if (draining.get(port) == null || draining.get(port).timer() != id) {
                    return null;
                }
                draining.remove(port);
            }
            close(port, bound);
            LOG.infof("closed listener %s:%d at its drain deadline", bound.spec().name(), port);
            return null;
        }, false));
        draining.put(port, new Draining(bound, timer));
    }

    /** The open listeners ({@code tcp:31400}, {@code mesh:15080}); never waits for a reconcile binding ports. */
    public List<String> listeners() {
        return names;
    }

    private volatile List<String> names = List.of();

    private void publishNames() {
        List<String> out = new ArrayList<>();
        open.forEach((port, bound) -> out.add(bound.spec().name() + ":" + port));
        if (meshPort > 0) {
            out.add("mesh:" + meshPort);
        }
        names = List.copyOf(out);
    }

    /** {@code listener}: the route table key the port serves (the port itself, or {@link HttpProxy#MESH}). */
    private void listen(int port, ListenerSpec spec, int listener) {
        awaitClosed(port);
        ListenerProtocol protocol = spec.protocol();
        List<Supplier<Future<Void>>> closers = new CopyOnWriteArrayList<>();
        List<io.vertx.core.http.HttpServer> httpServers = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean abandoned = new java.util.concurrent.atomic.AtomicBoolean();
        List<Future<?>> bound = new ArrayList<>();
        List<Context> loops = contexts();
        for (Context context : loops) {
            Promise<Void> promise = Promise.promise();
            context.runOnContext(v -> {
                if (protocol == ListenerProtocol.TLS || protocol == ListenerProtocol.TCP) {
                    if (!LoopAcceptor.sharesPorts(vertx) && context != loops.get(0)) {
                        promise.complete(); // the first loop's socket takes the port alone
                        return;
                    }
                    // A TLS port reads each ClientHello's SNI first, so it takes connections on the loop's own socket.
                    java.util.function.Consumer<io.netty.channel.Channel> initializer = protocol == ListenerProtocol.TLS
                            ? io.kshift.proxy.tls.TlsAcceptor.initializer(port, tables, tcp, helloTimeoutMillis)
                            : new TcpListenerHandler(tcp, port, tables.source());
                    LoopAcceptor.bindChannels((io.vertx.core.impl.ContextInternal) context, bindHost, port, limits,
                            initializer).onSuccess(a -> {
                                if (abandoned.get()) {
                                    a.close(); // bound after the attempt gave up: it must not keep a share of the port
                                } else {
                                    closers.add(a::close);
                                }
                            })
                            .<Void>mapEmpty().onComplete(promise);
                } else {
                    var server = httpMaker.create(bindHost, port, spec.tls(), limits, listener, port, tables.source());
                    closers.add(server::close);
                    httpServers.add(server);
                    httpMaker.listen(server, spec.tls()).<Void>mapEmpty().onComplete(promise);
                }
            });
            bound.add(promise.future());
        }
        try {
            Future.all(bound).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            if (listener != HttpProxy.MESH) {
                open.put(port, new Bound(spec, closers, httpServers));
            }
            LOG.infof("listening on %s:%d%s (%d acceptors, native transport %s)", spec.name(), port,
                    listener == HttpProxy.MESH ? " (mesh)" : "", closers.size(), vertx.isNativeTransportEnabled());
        } catch (Exception e) {
            abandoned.set(true);
            closers.forEach(Supplier::get);
            if (unbound.containsKey(port)) {
                // Said once; tried again every RETRY_MILLIS (retryLater).
                LOG.debugf("still cannot listen on %s:%d: %s", spec.name(), port,
                        e.getCause() == null ? e : e.getCause());
            } else {
                LOG.errorf("cannot listen on %s:%d: %s; trying again every %d s", spec.name(), port,
                        e.getCause() == null ? e : e.getCause(), RETRY_MILLIS / 1000);
            }
        }
    }

    /** The event loops listeners take connections on, one per acceptor (the start-up warm-up binds on them too). */
    public synchronized List<Context> contexts() {
        if (contexts == null) {
            List<Context> found = new CopyOnWriteArrayList<>();
            try {
                vertx.deployVerticle(() -> new AbstractVerticle() {
                    @Override
                    public void start() {
                        found.add(context);
                    }
                }, new DeploymentOptions().setInstances(acceptors))
                        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("cannot start acceptor event loops", e);
            }
            contexts = List.copyOf(found);
        }
        return contexts;
    }
}
