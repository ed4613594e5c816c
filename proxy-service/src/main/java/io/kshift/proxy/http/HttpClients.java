package io.kshift.proxy.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One pooled Vert.x HTTP client per distinct {@link UpstreamPolicy}, kept across route tables so a new generation
 * reuses warm upstream connections. Vert.x pools per endpoint address, so {@code maxConnections} and the pending
 * queue ({@code http1MaxPendingRequests}) hold per endpoint; a request over the queue fails at once with
 * {@code ConnectionPoolTooBusyException}, which the exchange answers 503 UO (Envoy's pending overflow).
 */
final class HttpClients {
    private final Vertx vertx;
    private final Map<UpstreamPolicy, HttpClient> clients = new ConcurrentHashMap<>();

    HttpClients(Vertx vertx) {
        this.vertx = vertx;
    }

    HttpClient get(UpstreamPolicy policy) {
        return clients.computeIfAbsent(policy, p -> vertx.createHttpClient(new HttpClientOptions()
                .setKeepAlive(p.keepAlive()).setKeepAliveTimeout(p.idleTimeoutSeconds()).setTcpNoDelay(true)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, p.connectTimeout().toMillis()))
                .setDecompressionSupported(false),
                new PoolOptions().setHttp1MaxSize(p.maxConnections())
                        .setMaxWaitQueueSize(p.maxPending() == UpstreamPolicy.UNLIMITED ? -1 : p.maxPending())));
    }
}
