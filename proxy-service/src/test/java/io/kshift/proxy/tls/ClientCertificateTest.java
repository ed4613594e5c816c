package io.kshift.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.MeshTopics;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.secret.FleetKeys;
import io.kshift.proxy.config.RouteTableHolder;
import io.kshift.samples.HttpEcho;
import io.kshift.samples.tls.DemoPki;
import io.kshift.testkit.Bus;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Client certificates at the gateway, through one proxy node with a real broker and backend: a Gateway API
 * Gateway's {@code spec.tls.frontend} with its CA in a ConfigMap ({@code AllowValidOnly} on one port,
 * {@code AllowInsecureFallback} on another, per port), Istio MUTUAL and OPTIONAL_MUTUAL servers with their
 * {@code <name>-cacert} Secret, and a port whose mode changes on a live node.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class ClientCertificateTest {
    static final DemoPki PKI = DemoPki.create("client-certificate-test-ca");
    static final DemoPki CLIENTS = DemoPki.create("client-certificate-test-clients");
    static final DemoPki STRANGERS = DemoPki.create("client-certificate-test-strangers");
    static final DemoPki.Issued EDGE = PKI.issue("localhost");
    static HttpEcho web;
    static int strictPort;
    static int fallbackPort;
    static int istioPort;
    static int optionalPort;
    static FleetKeys keys;

    @Inject
    RouteTableHolder tables;

    @BeforeAll
    static void backends() throws Exception {
        web = HttpEcho.start("127.0.0.1", 0, "v1");
        strictPort = freePort();
        fallbackPort = freePort();
        istioPort = freePort();
        optionalPort = freePort();
        keys = TestIssuer.fleetKeys();
    }

    @AfterAll
    static void stop() throws Exception {
        web.close();
    }

    static int freePort() throws Exception {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    String mesh(String strictMode) {
        String edge = Base64.getEncoder().encodeToString(EDGE.certBytes());
        String sealed = keys.seal("default/edge-cert/tls.key", EDGE.keyBytes());
        String clientCa = CLIENTS.caPem().indent(6);
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
                %s
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
                  listeners:
                  - name: strict
                    protocol: HTTPS
                    port: %d
                    tls: {certificateRefs: [{name: edge-cert}]}
                  - name: fallback
                    protocol: HTTPS
                    port: %d
                    tls: {certificateRefs: [{name: edge-cert}]}
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
                    tls: {mode: MUTUAL, credentialName: edge-cert}
                  - port: {number: %d, name: https-optional, protocol: HTTPS}
                    hosts: ['*']
                    tls: {mode: OPTIONAL_MUTUAL, credentialName: edge-cert}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web}
                spec:
                  hosts: ['*']
                  gateways: [istio-edge]
                  http: [{route: [{destination: {host: web}}]}]
                """.formatted(edge, sealed, Base64.getEncoder().encodeToString(CLIENTS.caPem().getBytes(
                StandardCharsets.US_ASCII)), clientCa, web.port(), strictMode, fallbackPort, strictPort, fallbackPort,
                istioPort, optionalPort);
    }

    void publish(String yaml) throws Exception {
        long generation = tables.get().generation() + 1;
        var parsed = ResourceReader.readBody(yaml.getBytes(StandardCharsets.UTF_8), BodyFormat.YAML);
        assertThat(parsed.errors()).isEmpty();
        MeshSnapshot snapshot = new MeshSnapshot(null, generation, UUID.randomUUID().toString(), Instant.now(),
                MeshConfig.empty().apply(parsed.resources()).config().all());
        Bus.send(MeshTopics.CONFIG, MeshTopics.MESH_KEY, EventCodec.encode(snapshot));
        await().atMost(Duration.ofSeconds(20)).until(() -> tables.get().generation() == generation);
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

    /** The status of a GET over HTTPS (HTTP/1.1, a new connection), or -1 where the connection failed. */
    static int get(int port, DemoPki.Issued identity) throws Exception {
        HttpClient c = HttpClient.newBuilder().sslContext(client(identity)).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        try {
            return c.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/get"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    @Test
    void clientsAreValidatedPerPortAsTheGatewaySays() throws Exception {
        DemoPki.Issued member = CLIENTS.issue("member.example.com");
        DemoPki.Issued stranger = STRANGERS.issue("stranger.example.com");
        publish(mesh("AllowValidOnly"));

        // AllowValidOnly (the default validation): only a certificate from the ConfigMap's CA gets through.
        assertThat(get(strictPort, member)).isEqualTo(200);
        assertThat(get(strictPort, null)).isEqualTo(-1);
        assertThat(get(strictPort, stranger)).isEqualTo(-1);

        // perPort AllowInsecureFallback: asked for, and let through without one or with an untrusted one.
        assertThat(get(fallbackPort, member)).isEqualTo(200);
        assertThat(get(fallbackPort, null)).isEqualTo(200);
        assertThat(get(fallbackPort, stranger)).isEqualTo(200);

        // Istio MUTUAL: the CA from the <credentialName>-cacert Secret.
        assertThat(get(istioPort, member)).isEqualTo(200);
        assertThat(get(istioPort, null)).isEqualTo(-1);
        assertThat(get(istioPort, stranger)).isEqualTo(-1);

        // Istio OPTIONAL_MUTUAL: none is let through, one presented must chain to the CA.
        assertThat(get(optionalPort, member)).isEqualTo(200);
        assertThat(get(optionalPort, null)).isEqualTo(200);
        assertThat(get(optionalPort, stranger)).isEqualTo(-1);

        // The default's mode changed on a live node: the strict port's listener now lets clients through.
        publish(mesh("AllowInsecureFallback"));
        await().atMost(Duration.ofSeconds(10)).until(() -> get(strictPort, null) == 200);
        assertThat(get(strictPort, stranger)).isEqualTo(200);
        assertThat(get(strictPort, member)).isEqualTo(200);

        // And back: required again.
        publish(mesh("AllowValidOnly"));
        await().atMost(Duration.ofSeconds(10)).until(() -> get(strictPort, null) == -1);
        assertThat(get(strictPort, stranger)).isEqualTo(-1);
        assertThat(get(strictPort, member)).isEqualTo(200);
    }
}
