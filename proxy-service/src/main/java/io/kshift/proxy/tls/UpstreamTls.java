package io.kshift.proxy.tls;

import io.kshift.model.istio.ClientTlsSettings;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.registry.ResolvedDestination;
import io.kshift.model.secret.FleetKeys;
import io.kshift.model.secret.Pem;
import io.kshift.model.secret.SecretSpec;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLParameters;
import org.jboss.logging.Logger;

/**
 * TLS a proxy originates toward a destination (DestinationRule {@code tls} SIMPLE or MUTUAL): the server's
 * certificate is checked against the Secret's CA (or the JDK's trusted CAs) for the SNI name, unless
 * {@code insecureSkipVerify}; MUTUAL presents the Secret's certificate. Equal by content, so pools and contexts are
 * shared by destinations with the same settings; the context is built once, at table build.
 */
public final class UpstreamTls {
    private static final Logger LOG = Logger.getLogger(UpstreamTls.class);
    private final String sni;
    private final boolean verify;
    private final String caPem;
    private final String certPem;
    private final String keyPem;
    private volatile SslContext context;
    /** The same settings offering {@code h2} by ALPN, for HTTP/2 destinations; made on first use. */
    private volatile SslContext h2Context;

    UpstreamTls(String sni, boolean verify, String caPem, String certPem, String keyPem) {
        this.sni = sni;
        this.verify = verify;
        this.caPem = caPem;
        this.certPem = certPem;
        this.keyPem = keyPem;
    }

    /** A TLS handler for a connection to an endpoint on {@code port}: SNI and the name checked are {@code sni}. */
    public SslHandler handler(ByteBufAllocator alloc, int port) {
        return handler(alloc, port, false);
    }

    /** {@code h2}: the handshake offers HTTP/2 by ALPN (a server that ignores ALPN is spoken HTTP/2 to anyway). */
    public SslHandler handler(ByteBufAllocator alloc, int port, boolean h2) {
        if (this == BROKEN) {
            throw new IllegalStateException("the destination's TLS settings do not read (see the build's log)");
        }
        SslHandler h = (h2 ? h2Context() : context()).newHandler(alloc, sni, port);
        if (verify) {
            SSLParameters p = h.engine().getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            h.engine().setSSLParameters(p);
        }
        return h;
    }

    SslContext context() {
        SslContext c = context;
        if (c == null) {
            c = build(false);
            context = c;
        }
        return c;
    }

    private SslContext h2Context() {
        SslContext c = h2Context;
        if (c == null) {
            c = build(true);
            h2Context = c;
        }
        return c;
    }

    private SslContext build(boolean h2) {
        SslContext c;
        try {
            SslContextBuilder b = SslContextBuilder.forClient().sslProvider(ServerTls.provider());
            if (h2) {
                b.applicationProtocolConfig(new io.netty.handler.ssl.ApplicationProtocolConfig(
                        io.netty.handler.ssl.ApplicationProtocolConfig.Protocol.ALPN,
                        io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        io.netty.handler.ssl.ApplicationProtocolNames.HTTP_2));
            }
            if (!verify) {
                b.trustManager(InsecureTrustManagerFactory.INSTANCE);
            } else if (caPem != null) {
                b.trustManager(Pem.certificates(caPem.getBytes(StandardCharsets.US_ASCII))
                        .toArray(new java.security.cert.X509Certificate[0]));
            }
            if (certPem != null) {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry("client", Pem.privateKey(keyPem.getBytes(StandardCharsets.US_ASCII)),
                        new char[0], Pem.certificates(certPem.getBytes(StandardCharsets.US_ASCII))
                                .toArray(new java.security.cert.X509Certificate[0]));
                javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
                        javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(store, new char[0]);
                b.keyManager(kmf);
            }
            c = b.build();
        } catch (Exception e) {
            throw new IllegalStateException("cannot build an upstream TLS context: " + e.getMessage(), e);
        }
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UpstreamTls t && verify == t.verify && Objects.equals(sni, t.sni)
                && Objects.equals(caPem, t.caPem) && Objects.equals(certPem, t.certPem)
                && Objects.equals(keyPem, t.keyPem);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sni, verify, caPem, certPem, keyPem);
    }

    /**
     * Makes the origination settings of destinations from one config, opening MUTUAL keys with the fleet keys and
     * reusing the previous build's contexts where nothing changed.
     */
    public static final class Factory {
        public static final Factory NONE = new Factory(MeshConfig.empty(), FleetKeys.none(), Map.of());
        private final MeshConfig config;
        private final FleetKeys keys;
        private final Map<UpstreamTls, UpstreamTls> previous;
        private final Map<UpstreamTls, UpstreamTls> built = new HashMap<>();

        public Factory(MeshConfig config, FleetKeys keys, Map<UpstreamTls, UpstreamTls> previous) {
            this.config = config;
            this.keys = keys;
            this.previous = previous;
        }

        /** The TLS toward {@code d}, or null for plaintext (and where its Secret does not read: logged). */
        public synchronized UpstreamTls of(ResolvedDestination d) {
            ClientTlsSettings tls = d.policy() == null ? null : d.policy().tls();
            if (tls == null || !tls.originates()) {
                return null;
            }
            try {
                String ca = null;
                String cert = null;
                String key = null;
                if (d.tlsCredential() != null) {
                    var secret = config.get(d.tlsCredential()).orElseThrow(() -> new IllegalStateException(
                            d.tlsCredential() + " does not exist"));
                    SecretSpec spec = secret.specAs(SecretSpec.class);
                    ca = spec.caEntry().flatMap(spec::publicBytes).map(b -> new String(b, StandardCharsets.US_ASCII))
                            .orElse(null);
                    if (tls.mode() == ClientTlsSettings.Mode.MUTUAL) {
                        cert = new String(spec.publicBytes(spec.certificateEntry().orElseThrow()).orElseThrow(),
                                StandardCharsets.US_ASCII);
                        String entry = spec.keyEntry().orElseThrow();
                        try {
                            key = keys.openEntry(secret, entry);
                        } catch (FleetKeys.SealException e) {
                            throw new IllegalStateException(d.tlsCredential() + " " + entry + " " + e.getMessage());
                        }
                    }
                }
                // The name sent as SNI and checked in the server's certificate: sni, else the destination's host.
                UpstreamTls t = new UpstreamTls(tls.sni() != null ? tls.sni() : d.service(), tls.verifies(), ca, cert,
                        key);
                UpstreamTls kept = built.computeIfAbsent(t, k -> previous.getOrDefault(k, k));
                kept.context();
                return kept;
            } catch (RuntimeException e) {
                LOG.errorf("TLS to %s is not originated (connections to it will fail): %s", d.service(),
                        e.getMessage());
                return BROKEN;
            }
        }

        public synchronized Map<UpstreamTls, UpstreamTls> built() {
            return Map.copyOf(built);
        }
    }

    /** Settings that could not be read: connections fail rather than fall back to plaintext. */
    static final UpstreamTls BROKEN = new UpstreamTls("", true, null, null, null);
}
