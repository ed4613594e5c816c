package io.kshift.proxy.http;

import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pooled Vert.x HTTP clients toward upstreams, one pool per distinct {@link UpstreamPolicy}, kept across route
 * tables so a new generation reuses warm upstream connections. As Envoy keeps a pool per worker, a policy without
 * connection limits has one client per event loop: a request goes out on a connection of the loop it arrived on
 * and its response comes back there, with no hop between threads. A policy with limits (a DestinationRule's
 * {@code maxConnections} or {@code http1MaxPendingRequests}) has one client for the node, so the limits hold
 * node-wide. Vert.x pools per endpoint address, so {@code maxConnections} and the pending queue hold per endpoint;
 * a request over the queue fails at once with {@code ConnectionPoolTooBusyException}, which the exchange answers
 * 503 UO (Envoy's pending overflow).
 */
final class HttpClients {
    private final Vertx vertx;
    private final Map<UpstreamPolicy, Pool> pools = new ConcurrentHashMap<>();

    HttpClients(Vertx vertx) {
        this.vertx = vertx;
    }

    HttpClient get(PoolRef ref) {
        Pool pool = ref.pool;
        if (pool == null) {
            pool = pools.computeIfAbsent(ref.policy(), Pool::new);
            ref.pool = pool;
        }
        return pool.client();
    }

    /** The clients of one policy: per event loop, or one for the node when the policy limits connections. */
    final class Pool {
        private final UpstreamPolicy policy;
        private final boolean limited;
        private volatile HttpClient shared;
        private final FastThreadLocal<HttpClient> perLoop = new FastThreadLocal<>() {
            @Override
            protected HttpClient initialValue() {
                return create();
            }
        };

        Pool(UpstreamPolicy policy) {
            this.policy = policy;
            this.limited = policy.maxConnections() != UpstreamPolicy.DEFAULT_CONNECTIONS
                    || policy.maxPending() != UpstreamPolicy.UNLIMITED;
        }

        HttpClient client() {
            if (!limited && Thread.currentThread() instanceof FastThreadLocalThread) {
                return perLoop.get();
            }
            HttpClient c = shared;
            if (c == null) {
                synchronized (this) {
                    if (shared == null) {
                        shared = create();
                    }
                    c = shared;
                }
            }
            return c;
        }

        private HttpClient create() {
            UpstreamPolicy p = policy;
            var builder = vertx.httpClientBuilder().with(new HttpClientOptions()
                            .setKeepAlive(p.keepAlive()).setKeepAliveTimeout(p.idleTimeoutSeconds()).setTcpNoDelay(true)
                            .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, p.connectTimeout().toMillis()))
                            .setDecompressionSupported(false))
                    .with(new PoolOptions().setHttp1MaxSize(p.maxConnections())
                            .setMaxWaitQueueSize(p.maxPending() == UpstreamPolicy.UNLIMITED ? -1 : p.maxPending()));
            if (p.keepalive() != null) {
                builder.withConnectHandler(c -> io.kshift.proxy.routing.TcpKeepalives.apply(p.keepalive(),
                        ((io.vertx.core.net.impl.ConnectionBase) c).channel()));
            }
            return builder.build();
        }
    }
}
