package io.kshift.proxy.http;

import io.kshift.proxy.routing.RouteTable;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Accepts a request on an HTTP listener: reads the route table once, finds the virtual host by Host, the first
 * route whose match holds (404 with flag NR when none does), and runs an {@link HttpExchange} through it.
 */
@ApplicationScoped
public class HttpProxy {
    /** The listener key of the mesh (sidecar-style) HTTP port, whose routes come from mesh-bound VirtualServices. */
    public static final int MESH = -1;

    private final Vertx vertx;
    private final HttpUpstreams upstreams;
    private final Mirrors mirrors;
    private final HttpLimits limits;
    /** The node's x-forwarded-client-cert policy on ports that verify client certificates, and on those that don't. */
    private final ClientCertHeader.Policy verifiedClients;
    private final ClientCertHeader.Policy unverifiedClients;

    public HttpProxy(Vertx vertx,
                     @ConfigProperty(name = "kshift.proxy.http.max-mirror-requests", defaultValue = "256") int mirrorLimit,
                     @ConfigProperty(name = "kshift.proxy.http.mirror-timeout", defaultValue = "10s")
                     java.time.Duration mirrorTimeout,
                     @ConfigProperty(name = "kshift.proxy.http.max-request-body", defaultValue = "10485760") long maxBody,
                     @ConfigProperty(name = "kshift.proxy.http.buffer-budget", defaultValue = "67108864") long budget,
                     @ConfigProperty(name = "kshift.proxy.http.retry-buffer", defaultValue = "1048576") long retryBuffer,
                     @ConfigProperty(name = "kshift.proxy.http.stream-idle-timeout", defaultValue = "5m")
                     java.time.Duration streamIdle,
                     @ConfigProperty(name = "kshift.proxy.http.forward-client-cert", defaultValue = "SANITIZE_SET")
                     ClientCertHeader.Mode forwardClientCert) {
        this.verifiedClients = new ClientCertHeader.Policy(forwardClientCert, false);
        this.unverifiedClients = new ClientCertHeader.Policy(forwardClientCert, true);
        if (forwardClientCert == ClientCertHeader.Mode.ALWAYS_FORWARD_ONLY) {
            org.jboss.logging.Logger.getLogger(HttpProxy.class).warnf("kshift.proxy.http.forward-client-cert is"
                    + " ALWAYS_FORWARD_ONLY: every client's x-forwarded-client-cert is passed on, on every port; only"
                    + " right where nothing but a load balancer that sets it can reach this node");
        } else if (forwardClientCert != ClientCertHeader.Mode.SANITIZE_SET) {
            org.jboss.logging.Logger.getLogger(HttpProxy.class).infof("kshift.proxy.http.forward-client-cert is %s",
                    forwardClientCert);
        }
        this.limits = new HttpLimits(maxBody, Math.min(retryBuffer, maxBody), new BodyBudget(budget),
                streamIdle.toMillis(), new java.util.concurrent.atomic.LongAdder());
        this.vertx = vertx;
        this.upstreams = new HttpUpstreams(vertx);
        this.mirrors = new Mirrors(upstreams, mirrorLimit, mirrorTimeout.toMillis(), limits.budget());
        this.tunnels = new io.kshift.proxy.tcp.UpstreamClients(vertx);
    }

    private final io.kshift.proxy.tcp.UpstreamClients tunnels;

    /** HTTP exchanges begun and not yet over on this node (a shutdown waits for them). */
    public long inFlight() {
        return limits.inFlight().sum();
    }

    /**
     * {@code listener}: the gateway port, or {@link #MESH}; {@code port}: the local port it arrived on; {@code table}:
     * the node's, or the start-up warm-up's own (read by the listener, {@link HttpListenerHandler}).
     */
    /**
     * The node's x-forwarded-client-cert mode, and whether the port lets clients through whose certificates did not
     * chain ({@code AllowInsecureFallback}): their requests tell the backend the certificate, never a verified
     * identity ({@link ClientCertHeader}).
     */
    private ClientCertHeader.Policy clientCerts(HttpServerRequest request, int port, RouteTable table) {
        io.kshift.proxy.tls.ServerTls tls = request.isSSL() ? table.tls().https().get(port) : null;
        return tls != null && tls.clientAuth() == io.kshift.model.routing.TlsBindings.ClientAuth.ACCEPT_UNTRUSTED
                ? unverifiedClients : verifiedClients;
    }

    public void handle(HttpServerRequest request, int listener, int port, RouteTable table) {
        if (Http1Framing.refusedBefore(request)) {
            return; // a request pipelined after a refused one: its bytes may be the refused one's body
        }
        Http1Framing.Refusal framing = Http1Framing.refused(request);
        if (framing != null) {
            // The connection goes too: what follows on it cannot be told apart from this request's body. Nothing
            // more is read or routed on it, and it closes after a linger (a close with unread bytes is a reset,
            // which can cost the client the answer).
            Http1Framing.refuseConnection(request);
            request.response().setStatusCode(framing.status()).putHeader(ResponseFlags.HEADER,
                            ResponseFlags.DOWNSTREAM_PROTOCOL).putHeader("connection", "close")
                    .putHeader("content-type", "text/plain").end("malformed request: " + framing.reason())
                    .onComplete(v -> DelayedClose.close(request.connection()));
            return;
        }
        String malformed = Http2RequestCheck.malformed(request);
        if (malformed != null) {
            request.response().setStatusCode(400).putHeader(ResponseFlags.HEADER, ResponseFlags.DOWNSTREAM_PROTOCOL)
                    .putHeader("content-type", "text/plain").end("malformed request: " + malformed);
            return;
        }
        VirtualHostTable hosts = listener == MESH ? table.mesh() : table.http().get(listener);
        String authority = request.host();
        String uri = PathNormalizer.normalize(request.uri());
        if (uri == null) {
            request.response().setStatusCode(400).putHeader("content-type", "text/plain").end("invalid path");
            return;
        }
        String path = uri.equals(request.uri()) ? request.path() : pathOf(uri);
        List<String> redirected = table.tls().httpsRedirects().get(listener);
        if (redirected != null && io.kshift.model.routing.TlsBindings.matches(redirected,
                io.kshift.model.routing.HostNames.withoutPort(authority))) {
            // Istio's httpsRedirect: the same URL over https, on the default port (Envoy's require_tls).
            request.response().setStatusCode(301).putHeader("location", "https://"
                    + io.kshift.model.routing.HostNames.withoutPort(authority) + uri)
                    .putHeader("content-length", "0").end();
            return;
        }
        List<HttpRouteEntry> routes = hosts == null ? null : hosts.routes(authority);
        if (routes != null) {
            // On the mesh port the destination port is the one the client addressed, as a sidecar sees it.
            int matchPort = listener == MESH ? hostPort(authority) : port;
            RequestView view = new RequestView(request.method().name(), path, authority, request.scheme(),
                    matchPort, name -> RequestValues.header(request, name, uri), name -> RequestValues.query(uri, name));
            for (HttpRouteEntry route : routes) {
                MatchBlock matched = MatchBlock.first(route.match(), view);
                if (matched != null && UpgradeTunnel.isUpgrade(request) && UpgradeTunnel.forwards(route)) {
                    new UpgradeTunnel(request, uri, route, matched, authority, tunnels, ThreadLocalRandom.current(),
                            vertx, clientCerts(request, port, table)).start();
                    return;
                }
                if (matched != null) {
                    new HttpExchange(request, uri, route, matched, authority, matchPort, vertx, upstreams,
                            loop(request), mirrors, ThreadLocalRandom.current(), limits,
                            clientCerts(request, port, table)).start();
                    return;
                }
            }
        }
        request.response().setStatusCode(404).putHeader(ResponseFlags.HEADER, ResponseFlags.NO_ROUTE)
                .putHeader("content-type", "text/plain").end("no route for " + authority + path);
    }

    private static String pathOf(String uri) {
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }

    /** The event loop the request arrived on: its upstream call and timers stay there. */
    private static io.netty.channel.EventLoop loop(HttpServerRequest request) {
        return request.connection() instanceof io.vertx.core.net.impl.ConnectionBase c ? c.channel().eventLoop()
                : io.vertx.core.impl.ContextInternal.current().nettyEventLoop();
    }

    static int hostPort(String authority) {
        String host = io.kshift.model.routing.HostNames.withoutPort(authority);
        if (authority != null && authority.length() > host.length() + 1) {
            try {
                return Integer.parseInt(authority.substring(host.length() + 1));
            } catch (NumberFormatException e) {
                return 80;
            }
        }
        return 80;
    }

    /**
     * Retires the upstream pools of policies {@code table} no longer names (after it is swapped in): a DestinationRule
     * edit or a rotated certificate makes new pools, and the old ones must not live on with their connections.
     */
    public void retainPools(RouteTable table) {
        upstreams.retain(livePolicies(table.hosts()));
    }

    /** Connection pool policies with pools on this node now (one per distinct DestinationRule pool and TLS setting). */
    public int upstreamPolicies() {
        return upstreams.policies();
    }

    /** Every pool policy the table's routes and mirrors name. */
    static java.util.Set<UpstreamPolicy> livePolicies(CompiledHosts hosts) {
        java.util.Set<UpstreamPolicy> live = new java.util.HashSet<>();
        forEachTarget(hosts, t -> {
            live.add(t.pool().policy());
            if (t.http2Pool() != null) {
                live.add(t.http2Pool().policy());
            }
        });
        return live;
    }

    /** Every destination of the table's routes and mirrors: its virtual hosts' and its default routes'. */
    static void forEachTarget(CompiledHosts hosts, java.util.function.Consumer<HttpTarget> action) {
        for (CompiledHosts.Compiled c : hosts.hosts.values()) {
            forEachTarget(c.routes(), action);
        }
        for (CompiledHosts.Default d : hosts.defaults.values()) {
            forEachTarget(d.routes(), action);
        }
    }

    private static void forEachTarget(List<HttpRouteEntry> routes, java.util.function.Consumer<HttpTarget> action) {
        for (HttpRouteEntry route : routes) {
            route.targets().forEach(action);
            for (HttpRouteEntry.Mirror m : route.mirrors()) {
                action.accept(m.target());
            }
        }
    }

    /** Request-body bytes this node holds now (for its budget, {@code kshift.proxy.http.buffer-budget}). */
    public long bufferedBytes() {
        return limits.budget().held();
    }

    public long mirrorsSent() {
        return mirrors.sent();
    }

    public long mirrorsDropped() {
        return mirrors.dropped();
    }
}
