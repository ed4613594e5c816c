package io.kshift.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kshift.model.secret.FleetKeys;
import io.kshift.proxy.config.RouteTableHolder;
import io.kshift.samples.HttpEcho;
import io.kshift.samples.TcpEcho;
import io.kshift.samples.tls.DemoPki;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Client certificates at the gateway, through one proxy node with a real broker and backend: a Gateway API
 * Gateway's {@code spec.tls.frontend} with its CA in a ConfigMap ({@code AllowValidOnly} on one port,
 * {@code AllowInsecureFallback} on another, a third with a bundle of its own, per port), Istio MUTUAL and
 * OPTIONAL_MUTUAL servers (HTTPS, and a TLS port terminated by Netty) with their {@code <name>-cacert} Secret, and a
 * bundle and a mode that change on a live node.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class ClientCertificateTest {
    static final DemoPki PKI = DemoPki.create("client-certificate-test-ca");
    static final DemoPki CLIENTS = DemoPki.create("client-certificate-test-clients");
    static final DemoPki PARTNERS = DemoPki.create("client-certificate-test-partners");
    static final DemoPki STRANGERS = DemoPki.create("client-certificate-test-strangers");
    static final DemoPki.Issued EDGE = PKI.issue("localhost");
    static final DemoPki.Issued MEMBER = CLIENTS.issue("member.example.com");
    static final DemoPki.Issued OTHER_MEMBER = CLIENTS.issue("other.example.com", "spiffe://example.com/other");
    static final DemoPki.Issued PARTNER = PARTNERS.issue("partner.example.com");
    static final DemoPki.Issued STRANGER = STRANGERS.issue("stranger.example.com");
    static HttpEcho web;
    static TcpEcho echo;
    static int strictPort;
    static int fallbackPort;
    static int partnerPort;
    static int istioPort;
    static int optionalPort;
    static int tlsPort;
    static FleetKeys keys;

    @Inject
    RouteTableHolder tables;

    @BeforeAll
    static void backends() throws Exception {
        web = HttpEcho.start("127.0.0.1", 0, "v1");
        echo = TcpEcho.start("127.0.0.1", 0, "one");
        strictPort = TlsGatewayTest.freePort();
        fallbackPort = TlsGatewayTest.freePort();
        partnerPort = TlsGatewayTest.freePort();
        istioPort = TlsGatewayTest.freePort();
        optionalPort = TlsGatewayTest.freePort();
        tlsPort = TlsGatewayTest.freePort();
        keys = TestIssuer.fleetKeys();
    }

    @AfterAll
    static void stop() throws Exception {
        web.close();
        echo.close();
    }


    /** {@code strictMode}: the default validation's mode; {@code clientCa}: the CA the ConfigMap client-ca holds. */
    String mesh(String strictMode, DemoPki clientCa) {
        return mesh(strictMode, clientCa, "");
    }

    /** {@code istioChecks}: more of the Istio servers' {@code tls} (client certificate checks), from a comma. */
    String mesh(String strictMode, DemoPki clientCa, String istioChecks) {
        String edge = Base64.getEncoder().encodeToString(EDGE.certBytes());
        String sealed = keys.seal("default/edge-cert/tls.key", EDGE.keyBytes());
        return """
                apiVersion: v1
                kind: Secret
                metadata: {name: edge-cert}
                type: kubernetes.io/tls
                data: {tls.crt: %s, tls.key: "%s"}
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: edge-cert-cacert}
                data: {ca.crt: %s}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: client-ca}
                data:
                  ca.crt: |
                %s---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: partner-ca}
                binaryData: {ca.crt: %s}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec: {ports: [{name: http, port: 8000}], selector: {app: web}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: web-v1}
                spec: {address: 127.0.0.1, ports: {http: %d}, labels: {app: web, version: v1}}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: echo}
                spec: {ports: [{name: tcp, port: 9000}], selector: {app: echo}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: echo-v1}
                spec: {address: 127.0.0.1, ports: {tcp: %d}, labels: {app: echo, version: v1}}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: edge}
                spec:
                  gatewayClassName: kshift
                  tls:
                    frontend:
                      default:
                        validation:
                          caCertificateRefs: [{group: "", kind: ConfigMap, name: client-ca}]
                          mode: %s
                      perPort:
                      - port: %d
                        tls:
                          validation:
                            caCertificateRefs: [{group: "", kind: ConfigMap, name: client-ca}]
                            mode: AllowInsecureFallback
                      - port: %d
                        tls:
                          validation:
                            caCertificateRefs: [{group: "", kind: ConfigMap, name: partner-ca}]
                  listeners:
                  - {name: strict, protocol: HTTPS, port: %d, tls: {certificateRefs: [{name: edge-cert}]}}
                  - {name: fallback, protocol: HTTPS, port: %d, tls: {certificateRefs: [{name: edge-cert}]}}
                  - {name: partner, protocol: HTTPS, port: %d, tls: {certificateRefs: [{name: edge-cert}]}}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: web}
                spec:
                  parentRefs: [{name: edge}]
                  rules: [{backendRefs: [{name: web, port: 8000}]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: istio-edge}
                spec:
                  servers:
                  - port: {number: %d, name: https, protocol: HTTPS}
                    hosts: ['*']
                    tls: {mode: MUTUAL, credentialName: edge-cert%s}
                  - port: {number: %d, name: https-optional, protocol: HTTPS}
                    hosts: ['*']
                    tls: {mode: OPTIONAL_MUTUAL, credentialName: edge-cert%s}
                  - port: {number: %d, name: tls-optional, protocol: TLS}
                    hosts: ['*']
                    tls: {mode: OPTIONAL_MUTUAL, credentialName: edge-cert%s}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web}
                spec:
                  hosts: ['*']
                  gateways: [istio-edge]
                  http: [{route: [{destination: {host: web}}]}]
                  tcp: [{match: [{port: %d}], route: [{destination: {host: echo}}]}]
                """.formatted(edge, sealed, Base64.getEncoder().encodeToString(CLIENTS.caPem().getBytes(
                StandardCharsets.US_ASCII)), clientCa.caPem().indent(4), Base64.getEncoder().encodeToString(
                PARTNERS.caPem().getBytes(StandardCharsets.US_ASCII)), web.port(), echo.port(), strictMode,
                fallbackPort, partnerPort, strictPort, fallbackPort, partnerPort, istioPort, istioChecks,
                optionalPort, istioChecks, tlsPort, istioChecks, tlsPort);
    }

    void publish(String yaml) throws Exception {
        TlsGatewayTest.publish(tables, yaml);
    }

    /**
     * A client trusting the gateway's CA, presenting {@code identity} (null: no certificate) whatever CAs the server
     * names: the JDK's own key manager sends none that the server's CA list leaves out, which would make a
     * stranger's certificate look like no certificate.
     */
    static SSLContext client(DemoPki.Issued identity) throws Exception {
        javax.net.ssl.KeyManager[] keys = null;
        if (identity != null) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("key", identity.key(), new char[0], new Certificate[]{identity.cert()});
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(ks, new char[0]);
            keys = new javax.net.ssl.KeyManager[]{new AlwaysPresent(
                    (javax.net.ssl.X509ExtendedKeyManager) factory.getKeyManagers()[0])};
        }
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("ca", PKI.caCert());
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(ts);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys, trust.getTrustManagers(), new SecureRandom());
        return context;
    }

    /** Presents its one certificate to every server that asks. */
    static final class AlwaysPresent extends javax.net.ssl.X509ExtendedKeyManager {
        private final javax.net.ssl.X509ExtendedKeyManager keys;

        AlwaysPresent(javax.net.ssl.X509ExtendedKeyManager keys) {
            this.keys = keys;
        }

        @Override
        public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, java.net.Socket socket) {
            return "key";
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, java.security.Principal[] issuers,
                                              javax.net.ssl.SSLEngine engine) {
            return "key";
        }

        @Override
        public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
            return new String[]{"key"};
        }

        @Override
        public java.security.cert.X509Certificate[] getCertificateChain(String alias) {
            return keys.getCertificateChain(keys.getClientAliases("EC", null)[0]);
        }

        @Override
        public java.security.PrivateKey getPrivateKey(String alias) {
            return keys.getPrivateKey(keys.getClientAliases("EC", null)[0]);
        }

        @Override
        public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, java.security.Principal[] issuers, java.net.Socket socket) {
            return null;
        }
    }

    /** What a connection refused for its certificate looks like to a client. */
    static final int REFUSED = -1;

    /**
     * The status of a GET over HTTPS (HTTP/1.1, a new connection), or {@link #REFUSED} where TLS failed (the server's
     * alert in the handshake or, with TLS 1.3, at the first read); any other failure (nothing listening) is thrown.
     */
    static int get(int port, DemoPki.Issued identity) throws Exception {
        return get(port, identity, null);
    }

    /** As {@link #get(int, DemoPki.Issued)}, sending {@code xfcc} as its own x-forwarded-client-cert (null: none). */
    static int get(int port, DemoPki.Issued identity, String xfcc) throws Exception {
        HttpClient c = HttpClient.newBuilder().sslContext(client(identity)).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/get"))
                .timeout(Duration.ofSeconds(5));
        if (xfcc != null) {
            request.header("x-forwarded-client-cert", xfcc);
        }
        try {
            return c.send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (java.io.IOException e) {
            return refused(e);
        }
    }

    /** A line through the TLS port (terminated here, relayed to the echo backend), or {@link #REFUSED}. */
    static int line(int port, DemoPki.Issued identity) throws Exception {
        try (SSLSocket s = DemoPki.connect(client(identity), "127.0.0.1", port, "localhost")) {
            s.getOutputStream().write("hello\n".getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            String answer = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertThat(answer).isEqualTo("one hello");
            return 200;
        } catch (java.io.IOException e) {
            return refused(e);
        }
    }

    /**
     * A TLS failure, or (TLS 1.3, where the client's handshake ends before the server has judged its certificate) the
     * connection reset at the first read; nothing listening and timeouts are thrown, not counted as refusals.
     */
    private static int refused(java.io.IOException e) throws java.io.IOException {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException || t instanceof java.net.http.HttpTimeoutException
                    || t instanceof java.net.SocketTimeoutException) {
                throw e;
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException || t instanceof java.net.SocketException
                    || String.valueOf(t.getMessage()).contains("received no bytes")) {
                return REFUSED;
            }
        }
        throw e;
    }

    @Test
    void clientsAreValidatedPerPortAsTheGatewaySays() throws Exception {
        publish(mesh("AllowValidOnly", CLIENTS));

        // AllowValidOnly (the default validation): only a certificate from the ConfigMap's CA gets through.
        assertThat(get(strictPort, MEMBER)).isEqualTo(200);
        assertThat(get(strictPort, null)).isEqualTo(REFUSED);
        assertThat(get(strictPort, STRANGER)).isEqualTo(REFUSED);
        assertThat(get(strictPort, PARTNER)).isEqualTo(REFUSED);

        // perPort AllowInsecureFallback: asked for, and let through without one or with an untrusted one.
        assertThat(get(fallbackPort, MEMBER)).isEqualTo(200);
        assertThat(get(fallbackPort, null)).isEqualTo(200);
        assertThat(get(fallbackPort, STRANGER)).isEqualTo(200);

        // The backend is told which certificate a client presented (x-forwarded-client-cert, as Istio's gateways
        // set it), and never what a client claims in that header itself. On this port certificates need not chain,
        // so only the certificate goes, no names: the backend checks it itself.
        web.clear();
        assertThat(get(fallbackPort, STRANGER, "Hash=forged")).isEqualTo(200);
        assertThat(get(fallbackPort, null, "Hash=forged")).isEqualTo(200);
        String strangerHash = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(STRANGER.cert().getEncoded()));
        assertThat(web.seen()).hasSize(2);
        assertThat(web.seen().get(0).headers().get("x-forwarded-client-cert"))
                .startsWith("Hash=" + strangerHash + ";Cert=\"-----BEGIN%20CERTIFICATE-----%0A")
                .endsWith("-----END%20CERTIFICATE-----%0A\"").doesNotContain("Subject=", "DNS=");
        assertThat(web.seen().get(1).headers()).doesNotContainKey("x-forwarded-client-cert");
        web.clear();
        assertThat(get(strictPort, MEMBER, "Hash=forged")).isEqualTo(200);
        assertThat(web.seen()).singleElement().satisfies(r -> assertThat(r.headers().get("x-forwarded-client-cert"))
                .as("a port that verified the certificate names it").contains(";Subject=\"CN=member.example.com\"",
                        ";URI=;DNS=member.example.com").doesNotContain("forged"));

        // perPort with its own bundle (a binaryData ConfigMap): that CA, not the default's.
        assertThat(get(partnerPort, PARTNER)).isEqualTo(200);
        assertThat(get(partnerPort, MEMBER)).isEqualTo(REFUSED);

        // Istio MUTUAL: the CA from the <credentialName>-cacert Secret.
        assertThat(get(istioPort, MEMBER)).isEqualTo(200);
        assertThat(get(istioPort, null)).isEqualTo(REFUSED);
        assertThat(get(istioPort, STRANGER)).isEqualTo(REFUSED);

        // Istio OPTIONAL_MUTUAL on HTTPS and on a TLS port that terminates (Netty's TLS, not Vert.x's server):
        // none is let through, one presented must chain to the CA.
        assertThat(get(optionalPort, MEMBER)).isEqualTo(200);
        assertThat(get(optionalPort, null)).isEqualTo(200);
        assertThat(get(optionalPort, STRANGER)).isEqualTo(REFUSED);
        assertThat(line(tlsPort, MEMBER)).isEqualTo(200);
        assertThat(line(tlsPort, null)).isEqualTo(200);
        assertThat(line(tlsPort, STRANGER)).isEqualTo(REFUSED);
    }

    /**
     * Istio's subjectAltNames, verifyCertificateSpki and verifyCertificateHash on MUTUAL and OPTIONAL_MUTUAL servers,
     * over HTTPS and a TLS port Netty terminates: checked after the CA, so a pinned stranger is still refused.
     */
    @Test
    void istioServersHoldClientCertificatesToNamesAndPins() throws Exception {
        publish(mesh("AllowValidOnly", CLIENTS, ", subjectAltNames: [member.example.com]"));
        assertIstioPortsLetIn(MEMBER, OTHER_MEMBER);
        assertThat(get(optionalPort, null)).as("OPTIONAL_MUTUAL: no certificate, nothing to check").isEqualTo(200);

        publish(mesh("AllowValidOnly", CLIENTS, ", subjectAltNames: ['spiffe://example.com/other']"));
        assertIstioPortsLetIn(OTHER_MEMBER, MEMBER);

        String memberHash = java.util.HexFormat.ofDelimiter(":").withUpperCase().formatHex(
                ClientCertificateCheck.sha256(MEMBER.cert().getEncoded()));
        publish(mesh("AllowValidOnly", CLIENTS, ", verifyCertificateHash: ['" + memberHash + "']"));
        assertIstioPortsLetIn(MEMBER, OTHER_MEMBER);

        String otherSpki = Base64.getEncoder().encodeToString(ClientCertificateCheck.sha256(
                OTHER_MEMBER.cert().getPublicKey().getEncoded()));
        String strangerSpki = Base64.getEncoder().encodeToString(ClientCertificateCheck.sha256(
                STRANGER.cert().getPublicKey().getEncoded()));
        publish(mesh("AllowValidOnly", CLIENTS, ", verifyCertificateSpki: ['" + otherSpki + "', '" + strangerSpki
                + "']"));
        assertIstioPortsLetIn(OTHER_MEMBER, MEMBER);
        assertThat(get(istioPort, STRANGER)).as("pinned, but not from the CA").isEqualTo(REFUSED);

        // Either list's hash lets a certificate in; names are required on top of that.
        publish(mesh("AllowValidOnly", CLIENTS, ", verifyCertificateSpki: ['" + otherSpki + "'],"
                + " verifyCertificateHash: ['" + memberHash + "']"));
        await().atMost(Duration.ofSeconds(10)).until(() -> get(istioPort, MEMBER) == 200);
        assertThat(get(istioPort, OTHER_MEMBER)).isEqualTo(200);
        publish(mesh("AllowValidOnly", CLIENTS, ", verifyCertificateSpki: ['" + otherSpki + "'],"
                + " subjectAltNames: [member.example.com]"));
        await().atMost(Duration.ofSeconds(10)).until(() -> get(istioPort, OTHER_MEMBER) == REFUSED);
        assertThat(get(istioPort, MEMBER)).isEqualTo(REFUSED);

        publish(mesh("AllowValidOnly", CLIENTS));
        await().atMost(Duration.ofSeconds(10)).until(() -> get(istioPort, OTHER_MEMBER) == 200);
        assertIstioPortsLetIn(MEMBER, STRANGER);
    }

    /** On the Istio MUTUAL and OPTIONAL_MUTUAL ports (once the node runs the new checks), {@code in} gets through. */
    void assertIstioPortsLetIn(DemoPki.Issued in, DemoPki.Issued out) throws Exception {
        // An HTTPS port's checks change in place for new handshakes; give the servers a moment to take them.
        await().atMost(Duration.ofSeconds(10)).until(() -> get(istioPort, out) == REFUSED);
        assertThat(get(istioPort, in)).isEqualTo(200);
        assertThat(get(optionalPort, in)).isEqualTo(200);
        assertThat(get(optionalPort, out)).isEqualTo(REFUSED);
        assertThat(line(tlsPort, in)).isEqualTo(200);
        assertThat(line(tlsPort, out)).isEqualTo(REFUSED);
    }

    @Test
    void aNewBundleOrModeReachesALiveNode() throws Exception {
        publish(mesh("AllowValidOnly", CLIENTS));
        assertThat(get(strictPort, MEMBER)).isEqualTo(200);

        // The ConfigMap now holds another CA: new handshakes are checked against it, on the same sockets.
        publish(mesh("AllowValidOnly", PARTNERS));
        await().atMost(Duration.ofSeconds(10)).until(() -> get(strictPort, PARTNER) == 200);
        assertThat(get(strictPort, MEMBER)).isEqualTo(REFUSED);

        // The default's mode changed: the port is reopened, and lets clients through.
        publish(mesh("AllowInsecureFallback", CLIENTS));
        await().atMost(Duration.ofSeconds(10)).until(() -> get(strictPort, null) == 200);
        assertThat(get(strictPort, STRANGER)).isEqualTo(200);
        assertThat(get(strictPort, MEMBER)).isEqualTo(200);

        // And back: required again.
        publish(mesh("AllowValidOnly", CLIENTS));
        await().atMost(Duration.ofSeconds(10)).until(() -> get(strictPort, null) == REFUSED);
        assertThat(get(strictPort, STRANGER)).isEqualTo(REFUSED);
        assertThat(get(strictPort, MEMBER)).isEqualTo(200);
    }
}
