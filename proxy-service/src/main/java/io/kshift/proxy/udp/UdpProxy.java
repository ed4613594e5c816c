package io.kshift.proxy.udp;

import io.kshift.proxy.config.RouteTableHolder;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The node's UDP listeners (Gateway API UDP listeners with a UDPRoute): one socket per port, made exactly the
 * route table's UDP ports on every swap. Each port splits client sessions over its route's destinations
 * ({@link UdpPort}); a session keeps its destination across weight changes, as a TCP connection does.
 */
@ApplicationScoped
public class UdpProxy {
    private static final Logger LOG = Logger.getLogger(UdpProxy.class);

    private final Vertx vertx;
    private final RouteTableHolder tables;
    private final String bindHost;
    private final UdpPort.Limits limits;
    private final Map<Integer, UdpPort> open = new TreeMap<>();

    public UdpProxy(Vertx vertx, RouteTableHolder tables,
                    @ConfigProperty(name = "kshift.proxy.bind-host", defaultValue = "0.0.0.0") String bindHost,
                    @ConfigProperty(name = "kshift.proxy.udp.idle-timeout", defaultValue = "60s") Duration idle,
                    @ConfigProperty(name = "kshift.proxy.udp.max-sessions", defaultValue = "10000") int maxSessions) {
        this.vertx = vertx;
        this.tables = tables;
        this.bindHost = bindHost;
        this.limits = new UdpPort.Limits(idle, maxSessions);
    }

    /**
     * Makes the open UDP ports exactly {@code ports}: new ones listen (waited for), removed ones close with their
     * sessions. Called from the table builder's thread, never an event loop.
     */
    public synchronized void reconcile(Set<Integer> ports) {
        for (Integer port : List.copyOf(open.keySet())) {
            if (!ports.contains(port)) {
                open.remove(port).close();
                LOG.infof("listener udp:%d removed; its sessions are closed", port);
            }
        }
        for (Integer port : ports) {
            if (open.containsKey(port)) {
                continue;
            }
            UdpPort p = new UdpPort(vertx, bindHost, port, tables, limits);
            try {
                // Listening before the table that routes the port is visible, as TCP ports are.
                p.bound.toCompletionStage().toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
                open.put(port, p);
            } catch (Exception e) {
                // Not opened (logged by the port); a later table with the port tries again.
                p.close();
            }
        }
    }

    @jakarta.annotation.PreDestroy
    synchronized void stop() {
        open.values().forEach(UdpPort::close);
        open.clear();
    }

    /** The open UDP listeners ({@code udp:5353}). */
    public synchronized List<String> listeners() {
        return open.keySet().stream().map(p -> "udp:" + p).toList();
    }
}
