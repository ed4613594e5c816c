package io.kshift.proxy.tcp;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Vert.x clients toward upstream endpoints, one per connect timeout in use (a handful), shared by all loops. */
public final class UpstreamClients {
    private final Vertx vertx;
    private final Map<Duration, NetClient> byTimeout = new ConcurrentHashMap<>();

    public UpstreamClients(Vertx vertx) {
        this.vertx = vertx;
    }

    public NetClient forTimeout(Duration connectTimeout) {
        return byTimeout.computeIfAbsent(connectTimeout, t -> vertx.createNetClient(new NetClientOptions()
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, t.toMillis()))
                .setTcpNoDelay(true)));
    }
}
