package io.kshift.proxy.tcp;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Opens and closes the data listeners as gateways come and go. Each port is bound with SO_REUSEPORT, so several
 * proxy nodes on one machine share it and the kernel spreads connections between them; inside a node, one server
 * per acceptor event loop spreads them across cores. A removed port routes nothing new at once (it is gone from
 * the route table, so a new connection is closed), while its live connections go on until the drain deadline
 * ({@code kshift.proxy.drain-timeout}); then the servers close, and Vert.x closes the connections they accepted.
 * A port that comes back before the deadline keeps its servers and connections.
 */
@ApplicationScoped
public class ListenerManager {
    private static final Logger LOG = Logger.getLogger(ListenerManager.class);

    private final Vertx vertx;
    private final TcpProxy proxy;
    private final String bindHost;
    private final int acceptors;
    private final java.time.Duration drainTimeout;
    private final Map<Integer, List<NetServer>> open = new TreeMap<>();
    private final Map<Integer, Draining> draining = new TreeMap<>();

    private record Draining(List<NetServer> servers, long timer) {
    }
    private List<Context> contexts;

    public ListenerManager(Vertx vertx, TcpProxy proxy,
                           @ConfigProperty(name = "kshift.proxy.bind-host", defaultValue = "0.0.0.0") String bindHost,
                           @ConfigProperty(name = "kshift.proxy.acceptors", defaultValue = "2") int acceptors,
                           @ConfigProperty(name = "kshift.proxy.drain-timeout", defaultValue = "30s")
                           java.time.Duration drainTimeout) {
        this.vertx = vertx;
        this.proxy = proxy;
        this.drainTimeout = drainTimeout;
        this.bindHost = bindHost;
        this.acceptors = Math.max(1, acceptors);
    }

    /** Makes the open listeners exactly {@code ports}; returns the ports that are listening afterwards. */
    public synchronized Set<Integer> reconcile(Set<Integer> ports) {
        for (Integer port : List.copyOf(open.keySet())) {
            if (!ports.contains(port)) {
                drain(port, open.remove(port));
            }
        }
        for (Integer port : ports) {
            Draining back = draining.remove(port);
            if (back != null) {
                vertx.cancelTimer(back.timer());
                open.put(port, back.servers());
            }
            if (!open.containsKey(port)) {
                listen(port);
            }
        }
        return Set.copyOf(open.keySet());
    }

    private void drain(int port, List<NetServer> servers) {
        LOG.infof("listener tcp:%d removed; its connections drain for %s", port, drainTimeout);
        long timer = vertx.setTimer(Math.max(1, drainTimeout.toMillis()), id -> {
            synchronized (this) {
                if (draining.get(port) == null || draining.get(port).timer() != id) {
                    return;
                }
                draining.remove(port);
            }
            servers.forEach(NetServer::close);
            LOG.infof("closed listener tcp:%d at its drain deadline", port);
        });
        draining.put(port, new Draining(servers, timer));
    }

    public synchronized List<String> listeners() {
        return open.keySet().stream().map(p -> "tcp:" + p).toList();
    }

    private void listen(int port) {
        List<NetServer> servers = new ArrayList<>();
        List<Future<NetServer>> bound = new ArrayList<>();
        NetServerOptions options = new NetServerOptions().setHost(bindHost).setPort(port)
                .setReusePort(true).setTcpNoDelay(true);
        for (Context context : contexts()) {
            Promise<NetServer> promise = Promise.promise();
            context.runOnContext(v -> {
                NetServer server = vertx.createNetServer(options).connectHandler(s -> proxy.accept(s, port));
                servers.add(server);
                server.listen().onComplete(promise);
            });
            bound.add(promise.future());
        }
        try {
            Future.all(bound).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            open.put(port, servers);
            LOG.infof("listening on tcp:%d (%d acceptors, native transport %s)", port, servers.size(),
                    vertx.isNativeTransportEnabled());
        } catch (Exception e) {
            servers.forEach(NetServer::close);
            LOG.errorf("cannot listen on tcp:%d: %s", port, e.getCause() == null ? e : e.getCause());
        }
    }

    private List<Context> contexts() {
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
