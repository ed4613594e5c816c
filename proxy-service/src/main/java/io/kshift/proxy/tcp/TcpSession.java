package io.kshift.proxy.tcp;

import io.kshift.proxy.routing.RouteTarget;
import io.kshift.proxy.routing.Upstream;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import org.jboss.logging.Logger;

/**
 * One client connection and its upstream. The destination was chosen at accept and never changes, so a weight
 * change cannot touch a live connection. The client stays paused until an endpoint accepts; a refused or timed-out
 * endpoint is skipped for the next one of the same destination. Then bytes are piped both ways with backpressure,
 * and either side closing closes the other. Everything runs on the client's event loop.
 */
final class TcpSession {
    private static final Logger LOG = Logger.getLogger(TcpSession.class);

    private final NetSocket client;
    private final RouteTarget target;
    private final NetClient connector;
    private final int first;
    private NetSocket upstream;
    private boolean clientClosed;

    TcpSession(NetSocket client, RouteTarget target, NetClient connector) {
        this.client = client;
        this.target = target;
        this.connector = connector;
        this.first = target.endpoints().first();
    }

    void start() {
        client.closeHandler(v -> {
            clientClosed = true;
            if (upstream != null) {
                upstream.close();
            }
        });
        connect(0);
    }

    private void connect(int attempt) {
        if (attempt == target.endpoints().size()) {
            LOG.debugf("no endpoint of %s accepted a connection", target.destination().service());
            client.close();
            return;
        }
        Upstream endpoint = target.endpoints().get(first + attempt);
        connector.connect(endpoint.address().port(), endpoint.address().host()).onComplete(ar -> {
            if (ar.failed()) {
                LOG.debugf("endpoint %s refused: %s", endpoint, ar.cause().getMessage());
                connect(attempt + 1);
            } else if (clientClosed) {
                ar.result().close();
            } else {
                pipe(endpoint, ar.result());
            }
        });
    }

    private void pipe(Upstream endpoint, NetSocket socket) {
        upstream = socket;
        endpoint.opened();
        socket.closeHandler(v -> {
            endpoint.closed();
            client.close();
        });
        socket.pipeTo(client);
        client.pipeTo(socket);
    }
}
