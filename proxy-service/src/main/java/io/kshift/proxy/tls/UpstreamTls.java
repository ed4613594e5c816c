package io.kshift.proxy.tls;

import io.kshift.model.gateway.KubeGatewaySpec;
import io.kshift.model.istio.ClientTlsSettings;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.registry.BackendTls;
import io.kshift.model.registry.ResolvedDestination;
import io.kshift.model.resource.ResourceKey;
import io.kshift.model.routing.TlsBindings;
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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLParameters;
import org.jboss.logging.Logger;

/**
 * TLS a proxy originates toward a destination (DestinationRule {@code tls} SIMPLE or MUTUAL, or a BackendTLSPolicy):
 * the server's certificate is checked against the Secret's CA, the policy's bundles (or the JDK's trusted CAs) for
 * the SNI name, or for one of the subject alternative names the policy or DestinationRule gives, unless
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
    /** Subject alternative names checked instead of the SNI name where any is given. */
    private final SubjectAltNameTrustManager.Wanted names;
    private volatile SslContext context;
    /** The same settings offering {@code h2} by ALPN, for HTTP/2 destinations; made on first use. */
    private volatile SslContext h2Context;

    UpstreamTls(String sni, boolean verify, String caPem, String certPem, String keyPem) {
        this(sni, verify, caPem, certPem, keyPem, SubjectAltNameTrustManager.Wanted.NONE);
    }

    UpstreamTls(String sni, boolean verify, String caPem, String certPem, String keyPem,
                SubjectAltNameTrustManager.Wanted names) {
        this.names = names;
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
        if (verify && !names.any()) {
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
            } else if (names.any()) {
                b.trustManager(new SubjectAltNameTrustManager(trustFactory(), names));
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

    /** Trust in {@code caPem}'s certificates, or in the JDK's trusted CAs without one. */
    private javax.net.ssl.TrustManagerFactory trustFactory() throws Exception {
        KeyStore store = null;
        if (caPem != null) {
            store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (var c : Pem.certificates(caPem.getBytes(StandardCharsets.US_ASCII))) {
                store.setCertificateEntry("ca-" + i++, c);
            }
        }
        javax.net.ssl.TrustManagerFactory f = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        f.init(store);
        return f;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UpstreamTls t && verify == t.verify && Objects.equals(sni, t.sni)
                && Objects.equals(caPem, t.caPem) && Objects.equals(certPem, t.certPem)
                && Objects.equals(keyPem, t.keyPem) && names.equals(t.names);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sni, verify, caPem, certPem, keyPem, names);
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
        public UpstreamTls of(ResolvedDestination d) {
            return of(d, true, null);
        }

        /**
         * {@code backendPolicies} false: a BackendTLSPolicy does not apply (TLS passed through by SNI is already
         * the client's TLS to the backend; the API's policy is for connections the gateway makes);
         * {@code gateway}: the Gateway the traffic came through, whose {@code spec.tls.backend} certificate goes with
         * a BackendTLSPolicy's TLS (null: none).
         */
        public synchronized UpstreamTls of(ResolvedDestination d, boolean backendPolicies, ResourceKey gateway) {
            ClientTlsSettings tls = d.policy() == null ? null : d.policy().tls();
            if ((tls == null || !tls.originates()) && (d.backendTls() == null || !backendPolicies)) {
                return null;
            }
            try {
                if (tls == null || !tls.originates()) {
                    return kept(policy(d.backendTls(), gateway));
                }
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
                        String[] identity = identity(d.tlsCredential());
                        cert = identity[0];
                        key = identity[1];
                    }
                }
                // The name sent as SNI and checked in the server's certificate: sni, else the destination's host.
                return kept(new UpstreamTls(tls.sni() != null ? tls.sni() : d.service(), tls.verifies(), ca, cert,
                        key, SubjectAltNameTrustManager.Wanted.written(tls.subjectAltNames())));
            } catch (RuntimeException e) {
                LOG.errorf("TLS to %s is not originated (connections to it will fail): %s", d.service(),
                        e.getMessage());
                return BROKEN;
            }
        }

        /** The same settings built before (this build or the last), else these, with their context made now. */
        private UpstreamTls kept(UpstreamTls t) {
            UpstreamTls kept = built.computeIfAbsent(t, k -> previous.getOrDefault(k, k));
            kept.context();
            return kept;
        }

        /**
         * A BackendTLSPolicy's TLS: its hostname as SNI, its bundles' CAs (one PEM) or the JDK's, and the Gateway's
         * client certificate where it names one.
         */
        private UpstreamTls policy(BackendTls b, ResourceKey gateway) {
            if (b.systemCas() == !b.caBundles().isEmpty()) {
                // Refused by validation; trusting the system's CAs for a policy that named its own would be worse.
                throw new IllegalStateException(b.policy() + " names " + (b.systemCas() ? "both" : "neither")
                        + " CA bundles and the system's CAs");
            }
            StringBuilder cas = new StringBuilder();
            for (var key : b.caBundles()) {
                var holder = config.get(key).orElseThrow(() -> new IllegalStateException(key + " does not exist"));
                cas.append(TlsBindings.caBundle(holder).orElseThrow(() -> new IllegalStateException(key
                        + " holds no ca.crt"))).append('\n');
            }
            ResourceKey client = gateway == null || gateway.kind() != io.kshift.model.resource.Kind.KUBE_GATEWAY
                    ? null : config.get(gateway).flatMap(g -> io.kshift.model.gateway.GatewayTls.clientCertificate(
                            g.specAs(KubeGatewaySpec.class).tls()))
                    .map(r -> new ResourceKey(io.kshift.model.resource.Kind.SECRET, r.namespace() == null
                            ? gateway.namespace() : r.namespace(), r.name())).orElse(null);
            String[] identity = client == null ? new String[2] : identity(client);
            return new UpstreamTls(b.hostname(), true, b.systemCas() ? null : cas.toString(), identity[0],
                    identity[1], new SubjectAltNameTrustManager.Wanted(b.dnsNames(), b.uris(), List.of()));
        }

        /** A Secret's certificate and opened key, as PEM. */
        private String[] identity(ResourceKey key) {
            var secret = config.get(key).orElseThrow(() -> new IllegalStateException(key + " does not exist"));
            SecretSpec spec = secret.specAs(SecretSpec.class);
            String cert = new String(spec.publicBytes(spec.certificateEntry().orElseThrow()).orElseThrow(),
                    StandardCharsets.US_ASCII);
            String entry = spec.keyEntry().orElseThrow();
            try {
                return new String[] {cert, keys.openEntry(secret, entry)};
            } catch (FleetKeys.SealException e) {
                throw new IllegalStateException(key + " " + entry + " " + e.getMessage());
            }
        }

        public synchronized Map<UpstreamTls, UpstreamTls> built() {
            return Map.copyOf(built);
        }
    }

    /** Settings that could not be read: connections fail rather than fall back to plaintext. */
    static final UpstreamTls BROKEN = new UpstreamTls("", true, null, null, null);
}
