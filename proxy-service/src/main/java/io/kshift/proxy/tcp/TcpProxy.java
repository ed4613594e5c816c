package io.kshift.proxy.tcp;

import io.kshift.proxy.routing.ListenerRoute;
import io.kshift.proxy.routing.RouteTable;
import io.kshift.proxy.routing.RouteTarget;
import io.netty.channel.Channel;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * Accepts a client on a listener port: reads the route table once, picks the destination (exact weighted choice),
 * and hands the connection to a {@link TcpSession}. A port with no route (or one being drained) closes the
 * connection.
 */
@ApplicationScoped
public class TcpProxy {
    private final UpstreamClients clients;
    private final int maxConnectAttempts;

    /**
     * {@code maxConnectAttempts}: endpoints of the chosen destination tried in turn when one refuses or times out
     * (Envoy's TCP proxy {@code max_connect_attempts}, 1 there by default; 3 here, so one dead pod never fails a
     * connection while another endpoint is up, and a client waits at most three connect timeouts).
     */
    public TcpProxy(Vertx vertx, @org.eclipse.microprofile.config.inject.ConfigProperty(
            name = "kshift.proxy.tcp.max-connect-attempts", defaultValue = "3") int maxConnectAttempts) {
        if (maxConnectAttempts < 1) {
            throw new IllegalArgumentException("kshift.proxy.tcp.max-connect-attempts must be at least 1, not "
                    + maxConnectAttempts);
        }
        this.clients = new UpstreamClients(vertx);
        this.maxConnectAttempts = maxConnectAttempts;
    }

    /**
     * A connection accepted on {@code port}, through {@code table} (the node's, or the start-up warm-up's own).
     * Called as the channel is registered, before it is active.
     */
    public void accept(Channel client, int port, RouteTable table) {
        accept(client, table.route(port));
    }

    /**
     * A connection whose route is already chosen (a TLS port's, by SNI); none: it is closed. The channel's pipeline
     * ends here: the relay's handler goes last.
     */
    public void accept(Channel client, Optional<ListenerRoute> route) {
        // Nothing is read until an upstream is connected; then the relay turns reading on.
        Relay.reading(client, false);
        if (route.isEmpty()) {
            client.close();
            return;
        }
        RouteTarget target = route.get().pick();
        if (target == null) {
            client.close(); // the share of a destination this node could not resolve
            return;
        }
        if (!target.admit()) {
            // connectionPool.tcp.maxConnections reached: refused at once, as Envoy's overflow.
            target.stats().unserved("UO");
            client.close();
            return;
        }
        target.connections().increment();
        new TcpSession(client, target, target.openConnection(), clients, maxConnectAttempts).start();
    }
}
