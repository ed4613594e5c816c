package io.kshift.proxy.tcp;

import io.kshift.proxy.config.RouteTableHolder;
import io.kshift.proxy.routing.ListenerRoute;
import io.kshift.proxy.routing.RouteTable;
import io.kshift.proxy.routing.RouteTarget;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * Accepts a client on a listener port: reads the route table once, picks the destination (exact weighted choice),
 * and hands the connection to a {@link TcpSession}. A port with no route (or one being drained) closes the
 * connection.
 */
@ApplicationScoped
public class TcpProxy {
    private final RouteTableHolder tables;
    private final UpstreamClients clients;
    private final Vertx vertx;

    public TcpProxy(RouteTableHolder tables, Vertx vertx) {
        this.tables = tables;
        this.clients = new UpstreamClients(vertx);
        this.vertx = vertx;
    }

    void accept(NetSocket client, int port) {
        accept(client, port, tables.get());
    }

    /** Through {@code table} rather than the node's (the start-up warm-up runs a table of its own). */
    public void accept(NetSocket client, int port, RouteTable table) {
        // Nothing is read until an upstream is connected; then the relay turns reading on.
        accept(client, table.route(port));
    }

    /** A connection whose route is already chosen (a TLS port's, by SNI); none: it is closed. */
    public void accept(NetSocket client, Optional<ListenerRoute> route) {
        Relay.reading(client, false);
        if (route.isEmpty()) {
            client.close();
            return;
        }
        RouteTarget target = route.get().pick();
        if (!target.admit()) {
            // connectionPool.tcp.maxConnections reached: refused at once, as Envoy's overflow.
            client.close();
            return;
        }
        target.connections().increment();
        target.stats().connectionOpened();
        new TcpSession(client, target, clients, vertx).start();
    }
}
