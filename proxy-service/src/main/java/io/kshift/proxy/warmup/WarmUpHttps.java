package io.kshift.proxy.warmup;

import io.kshift.proxy.routing.TableSource;
import io.kshift.proxy.tcp.ListenerConnections;
import io.kshift.proxy.tls.ServerTls;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.PemTrustOptions;
import java.time.Instant;
import java.util.List;

/**
 * The warm-up's HTTPS: a listener terminating TLS as a gateway's HTTPS server does (OpenSSL where it loads: the
 * record layer, Vert.x's TLS server, the TLS connection's handler path) on a certificate made for this process,
 * and two clients that trust only that certificate and ask for its name by SNI: HTTP/1.1 without ALPN (as the
 * bench's JDK client and wrk-style tools speak it) and h2 by ALPN (as browsers, curl and gRPC do). Without it the
 * first HTTPS load after a start ran at 0.24-0.40x HAProxy (`./kshift bench proxy --cold`).
 */
record WarmUpHttps(ServerTls tls, int port, HttpClient http1, HttpClient h2) {
    /** The name the clients ask for and the certificate carries; {@code .invalid}: a name no one owns (RFC 2606). */
    static final String NAME = "warm-up.kshift.invalid";

    static WarmUpHttps open(Vertx vertx, WarmUpListeners listeners, TableSource tables, ListenerConnections limits,
                            List<Runnable> closers) throws Exception {
        ServerTls.Identity identity = WarmUpCertificate.selfSigned(NAME, Instant.now());
        // Read here, on the warm-up's thread: a key that does not read fails the HTTPS part, not an event loop.
        ServerTls tls = new ServerTls(List.of(identity), null, List.of()).verified();
        int port = listeners.http(tables, limits, closers, tls, WarmUp.HTTP_PORT);
        // Host verification on: the client checks the certificate's name as any client of a gateway would.
        HttpClientOptions trusting = new HttpClientOptions().setTcpNoDelay(true).setSsl(true).setForceSni(true)
                .setVerifyHost(true).setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(
                        identity.certPem())));
        // Two connections: the next request opens one while the last, closed on purpose, is still leaving the pool.
        HttpClient http1 = vertx.createHttpClient(new HttpClientOptions(trusting).setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(2));
        closers.add(http1::close);
        HttpClient h2 = vertx.createHttpClient(new HttpClientOptions(trusting).setUseAlpn(true)
                .setProtocolVersion(HttpVersion.HTTP_2), new PoolOptions().setHttp2MaxSize(1));
        closers.add(h2::close);
        return new WarmUpHttps(tls, port, http1, h2);
    }

    /**
     * Loads the classes a TLS gateway's key manager brings, before the JIT compiles the data path: one of them
     * subclasses LinkedHashMap, and its arrival with the first HTTPS config discarded every compiled method that had
     * assumed LinkedHashMap has no subclass (26 at once, seconds before traffic).
     */
    static void loadKeyManagerClasses() {
        try {
            java.security.KeyStore none = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
            none.load(null, null);
            javax.net.ssl.KeyManagerFactory keys = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
            keys.init(none, new char[0]);
            keys.getKeyManagers();
        } catch (Exception e) {
            org.jboss.logging.Logger.getLogger(WarmUpHttps.class)
                    .debugf("warm-up: no PKIX key manager to load (%s)", e);
        }
    }
}
