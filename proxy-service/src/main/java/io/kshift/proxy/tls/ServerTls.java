package io.kshift.proxy.tls;

import io.kshift.model.secret.Pem;
import io.kshift.model.routing.TlsBindings.ClientAuth;
import io.kshift.model.routing.TlsBindings.ClientCertificateRules;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.SSLOptions;
import io.vertx.core.net.TrustOptions;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * What a listener presents when it terminates TLS: certificate chains with their keys, the CA that client
 * certificates must chain to (null: none asked for), how clients are held to it ({@link ClientAuth}: required,
 * optional, or let through untrusted), what else a client certificate must be ({@link ClientCertificateCheck}) and
 * the TLS versions allowed (empty: the library's).
 * The certificate for a connection is chosen by the JDK's PKIX key manager, by SNI among the names the certificates
 * carry and by key type (an RSA and an ECDSA certificate side by side). Equal by content, so a rebuilt table that
 * holds the same certificates keeps the contexts already built; the TLS contexts are built once, when first asked.
 */
public final class ServerTls {
    /** One certificate chain (PEM, leaf first) and its private key (PEM), as a Secret holds them. */
    public record Identity(String certPem, String keyPem) {
        @Override
        public String toString() {
            return "Identity[certificate, key redacted]";
        }
    }

    private final List<Identity> identities;
    private final String clientCaPem;
    private final ClientAuth clientAuth;
    private final List<String> protocols;
    private final ClientCertificateRules clientRules;
    /** Istio's cipherSuites (BoringSSL names; empty: the library's), for TLS 1.2 and below. */
    private final List<String> cipherSuites;
    private volatile KeyManagerFactory keyManagers;
    private volatile SslContext netty;

    /** OpenSSL (netty-tcnative's BoringSSL) where it loads, several times the JDK's TLS throughput; JDK TLS otherwise. */
    public static io.netty.handler.ssl.SslProvider provider() {
        return io.netty.handler.ssl.OpenSsl.isAvailable() ? io.netty.handler.ssl.SslProvider.OPENSSL
                : io.netty.handler.ssl.SslProvider.JDK;
    }

    public ServerTls(List<Identity> identities, String clientCaPem, List<String> protocols) {
        this(identities, clientCaPem, ClientAuth.REQUIRE, protocols);
    }

    public ServerTls(List<Identity> identities, String clientCaPem, ClientAuth clientAuth, List<String> protocols) {
        this(identities, clientCaPem, clientAuth, protocols, ClientCertificateRules.NONE);
    }

    public ServerTls(List<Identity> identities, String clientCaPem, ClientAuth clientAuth, List<String> protocols,
                     ClientCertificateRules clientRules) {
        this(identities, clientCaPem, clientAuth, protocols, clientRules, List.of());
    }

    public ServerTls(List<Identity> identities, String clientCaPem, ClientAuth clientAuth, List<String> protocols,
                     ClientCertificateRules clientRules, List<String> cipherSuites) {
        this.cipherSuites = List.copyOf(cipherSuites);
        this.clientRules = clientCaPem == null ? ClientCertificateRules.NONE : clientRules;
        this.identities = List.copyOf(identities);
        this.clientCaPem = clientCaPem;
        this.clientAuth = clientCaPem == null ? ClientAuth.NONE
                : clientAuth == ClientAuth.NONE ? ClientAuth.REQUIRE : clientAuth;
        this.protocols = List.copyOf(protocols);
    }

    public boolean mutual() {
        return clientCaPem != null;
    }

    public ClientAuth clientAuth() {
        return clientAuth;
    }

    /** How a Vert.x server asks for client certificates (OPTIONAL and ACCEPT_UNTRUSTED differ in the trust manager). */
    public io.vertx.core.http.ClientAuth serverClientAuth() {
        return switch (clientAuth) {
            case NONE -> io.vertx.core.http.ClientAuth.NONE;
            case REQUIRE -> io.vertx.core.http.ClientAuth.REQUIRED;
            case OPTIONAL, ACCEPT_UNTRUSTED -> io.vertx.core.http.ClientAuth.REQUEST;
        };
    }

    public List<Identity> identities() {
        return identities;
    }

    /** Fails (naming what) if a certificate or key does not read: checked when a table is built, not per connection. */
    public ServerTls verified() {
        keyManagers();
        ciphers();
        if (clientRules.any()) {
            new ClientCertificateCheck(trustManagers(), clientRules);
        } else {
            trustManagers();
        }
        return this;
    }

    /** For a Vert.x server (HTTPS listeners); {@code clientAuth} is set on the server's own options. */
    public SSLOptions vertx() {
        SSLOptions options = new SSLOptions().setKeyCertOptions(KeyCertOptions.wrap(keyManagers()))
                .setUseAlpn(true);
        if (mutual()) {
            options.setTrustOptions(trustOptions());
        }
        if (!protocols.isEmpty()) {
            options.setEnabledSecureTransportProtocols(new java.util.LinkedHashSet<>(protocols));
        }
        ciphers().forEach(options::addEnabledCipherSuite);
        return options;
    }

    /** TLS 1.3's suites, which Istio's cipherSuites leave as they are (Envoy's cannot configure them). */
    private static final List<String> TLS13 = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256");

    /**
     * The suites to enable (empty: the library's): the configured ones this TLS library has, by their Java names
     * (which both of Netty's providers take), then TLS 1.3's. Fails when none of the configured ones is available,
     * rather than serving the library's whole list in their place.
     */
    List<String> ciphers() {
        if (cipherSuites.isEmpty()) {
            return List.of();
        }
        java.util.Set<String> supported = provider() == io.netty.handler.ssl.SslProvider.OPENSSL ? null
                : jdkSuites();
        List<String> out = new java.util.ArrayList<>();
        for (String name : cipherSuites) {
            String java = io.netty.handler.ssl.CipherSuiteConverter.toJava(name, "TLS");
            if (java != null && (supported == null ? io.netty.handler.ssl.OpenSsl.isCipherSuiteAvailable(java)
                    : supported.contains(java))) {
                out.add(java);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("none of the cipher suites " + cipherSuites + " is available here");
        }
        for (String name : TLS13) {
            if (supported == null || supported.contains(name)) {
                out.add(name);
            }
        }
        return out;
    }

    private static java.util.Set<String> jdkSuites() {
        try {
            return java.util.Set.of(javax.net.ssl.SSLContext.getDefault().getDefaultSSLParameters().getCipherSuites());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Makes an HTTP server's options serve HTTPS with these certificates: HTTP/2 and HTTP/1.1 by ALPN. */
    public io.vertx.core.http.HttpServerOptions apply(io.vertx.core.http.HttpServerOptions options) {
        options.setSsl(true).setUseAlpn(true).setKeyCertOptions(KeyCertOptions.wrap(keyManagers()));
        if (provider() == io.netty.handler.ssl.SslProvider.OPENSSL) {
            options.setSslEngineOptions(new io.vertx.core.net.OpenSSLEngineOptions());
        }
        if (mutual()) {
            options.setTrustOptions(trustOptions()).setClientAuth(serverClientAuth());
        }
        if (!protocols.isEmpty()) {
            options.setEnabledSecureTransportProtocols(new java.util.LinkedHashSet<>(protocols));
        }
        ciphers().forEach(options::addEnabledCipherSuite);
        return options;
    }

    /** For a Netty pipeline (TLS listeners that terminate), built once. */
    public SslContext netty() {
        SslContext c = netty;
        if (c == null) {
            try {
                SslContextBuilder b = SslContextBuilder.forServer(keyManagers()).sslProvider(provider());
                switch (clientAuth) {
                    case NONE -> { }
                    case REQUIRE -> checked(b).clientAuth(io.netty.handler.ssl.ClientAuth.REQUIRE);
                    case OPTIONAL -> checked(b).clientAuth(io.netty.handler.ssl.ClientAuth.OPTIONAL);
                    case ACCEPT_UNTRUSTED -> b.trustManager(new LenientTrustManager(trustManagers())).clientAuth(
                            io.netty.handler.ssl.ClientAuth.OPTIONAL);
                }
                if (!protocols.isEmpty()) {
                    b.protocols(protocols);
                }
                if (!cipherSuites.isEmpty()) {
                    b.ciphers(ciphers());
                }
                c = b.build();
            } catch (SSLException e) {
                throw new IllegalStateException("cannot build a TLS context: " + e.getMessage(), e);
            }
            netty = c;
        }
        return c;
    }

    private KeyManagerFactory keyManagers() {
        KeyManagerFactory k = keyManagers;
        if (k == null) {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                for (int i = 0; i < identities.size(); i++) {
                    Identity id = identities.get(i);
                    List<X509Certificate> chain = Pem.certificates(id.certPem().getBytes(StandardCharsets.US_ASCII));
                    var key = Pem.privateKey(id.keyPem().getBytes(StandardCharsets.US_ASCII));
                    store.setKeyEntry("identity-" + i, key, new char[0], chain.toArray(new X509Certificate[0]));
                }
                // PKIX (not SunX509): it picks among several certificates by the client's SNI.
                k = KeyManagerFactory.getInstance("PKIX");
                k.init(store, new char[0]);
            } catch (GeneralSecurityException | java.io.IOException e) {
                throw new IllegalStateException("cannot hold the certificates: " + e.getMessage(), e);
            }
            keyManagers = k;
        }
        return k;
    }

    private TrustOptions trustOptions() {
        return clientAuth == ClientAuth.ACCEPT_UNTRUSTED ? TrustOptions.wrap(new LenientTrustManager(trustManagers()))
                : clientRules.any() ? TrustOptions.wrap(new ClientCertificateCheck(trustManagers(), clientRules))
                : TrustOptions.wrap(trustManagers());
    }

    /** The builder trusting the client CAs, holding certificates to the rules where there are any. */
    private SslContextBuilder checked(SslContextBuilder b) {
        return clientRules.any() ? b.trustManager(new ClientCertificateCheck(trustManagers(), clientRules))
                : b.trustManager(trustManagers());
    }

    private TrustManagerFactory trustManagers() {
        if (!mutual()) {
            return null;
        }
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            List<X509Certificate> cas = Pem.certificates(clientCaPem.getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < cas.size(); i++) {
                store.setCertificateEntry("ca-" + i, cas.get(i));
            }
            TrustManagerFactory t = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            t.init(store);
            return t;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot read the client CA: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ServerTls t && identities.equals(t.identities) && Objects.equals(clientCaPem, t.clientCaPem)
                && clientAuth == t.clientAuth && protocols.equals(t.protocols) && clientRules.equals(t.clientRules)
                && cipherSuites.equals(t.cipherSuites);
    }

    @Override
    public int hashCode() {
        return Objects.hash(identities, clientCaPem, clientAuth, protocols, clientRules, cipherSuites);
    }

    @Override
    public String toString() {
        return "ServerTls[" + identities.size() + " certificate(s)" + (mutual() ? ", client CA " + clientAuth : "") + "]";
    }
}
