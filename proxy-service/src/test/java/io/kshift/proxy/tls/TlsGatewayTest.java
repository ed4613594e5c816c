package io.kshift.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
import io.kshift.samples.TcpEcho;
import io.kshift.samples.tls.DemoPki;
import io.kshift.testkit.Bus;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TLS through one proxy node with a real broker, real backends and generated certificates: passthrough split by
 * SNI (the backends terminate), termination with a tcp route behind it, HTTPS with HTTP/2 by ALPN, and a
 * certificate rotation that leaves a live connection alone.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class TlsGatewayTest {
    static final DemoPki PKI = DemoPki.create("tls-gateway-test-ca");
    static final DemoPki.Issued BACKEND = PKI.issue("echo.example.com");
    static TcpEcho plainOne;
    static TcpEcho plainTwo;
    static TcpEcho tlsOne;
    static TcpEcho tlsTwo;
    static HttpEcho web;
    static HttpEcho webTls;
    static TcpEcho mutualOne;
    static int originatePort;
    static int passthroughPort;
    static int terminatePort;
    static int httpsPort;
    static int redirectPort;
    static final FleetKeys KEYS = TestIssuer.fleetKeys();

    @Inject
    RouteTableHolder tables;

    @BeforeAll
    static void backends() throws Exception {
        plainOne = TcpEcho.start("127.0.0.1", 0, "one");
        plainTwo = TcpEcho.start("127.0.0.1", 0, "two");
        tlsOne = TcpEcho.startTls("127.0.0.1", 0, "one", PKI.sslContext(BACKEND));
        tlsTwo = TcpEcho.startTls("127.0.0.1", 0, "two", PKI.sslContext(BACKEND));
        web = HttpEcho.start("127.0.0.1", 0, "v1");
        webTls = HttpEcho.startTls("127.0.0.1", 0, "tls-v1", PKI.sslContext(PKI.issue("web.internal")));
        mutualOne = TcpEcho.startTls("127.0.0.1", 0, "mutual", PKI.sslContext(PKI.issue("mutual.internal")), true);
        originatePort = freePort();
        passthroughPort = freePort();
        terminatePort = freePort();
        httpsPort = freePort();
        redirectPort = freePort();
    }

    @AfterAll
    static void stop() throws Exception {
        plainOne.close();
        plainTwo.close();
        tlsOne.close();
        tlsTwo.close();
        web.close();
        webTls.close();
        mutualOne.close();
    }

    static int freePort() throws Exception {
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    /** A tls Secret as config-service puts it on the bus: the key sealed with the fleet key. */
    static String secret(String name, DemoPki.Issued issued) {
        return """
                apiVersion: v1
                kind: Secret
                metadata: {name: %s}
                type: kubernetes.io/tls
                data: {tls.crt: %s, tls.key: "%s"}
                """.formatted(name, Base64.getEncoder().encodeToString(issued.certBytes()),
                KEYS.seal("default/" + name + "/tls.key", issued.keyBytes()));
    }

    String mesh(DemoPki.Issued edge) {
        return secret("edge-cert", edge) + """
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: echo}
                spec: {ports: [{name: tcp, port: 9000}], selector: {app: echo}}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: echo-tls}
                spec: {ports: [{name: tls, port: 9443}], selector: {app: echo-tls}}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec: {ports: [{name: http, port: 8000}], selector: {app: web}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: echo-v1}
                spec: {address: 127.0.0.1, ports: {tcp: %d}, labels: {app: echo, version: v1}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: echo-v2}
                spec: {address: 127.0.0.1, ports: {tcp: %d}, labels: {app: echo, version: v2}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: echo-tls-v1}
                spec: {address: 127.0.0.1, ports: {tls: %d}, labels: {app: echo-tls, version: v1}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: echo-tls-v2}
                spec: {address: 127.0.0.1, ports: {tls: %d}, labels: {app: echo-tls, version: v2}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: web-v1}
                spec: {address: 127.0.0.1, ports: {http: %d}, labels: {app: web, version: v1}}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: echo}
                spec:
                  host: echo
                  subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: echo-tls}
                spec:
                  host: echo-tls
                  subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: edge}
                spec:
                  servers:
                  - port: {number: %d, name: tls-passthrough, protocol: TLS}
                    hosts: ['*.example.com']
                    tls: {mode: PASSTHROUGH}
                  - port: {number: %d, name: tls-terminate, protocol: TLS}
                    hosts: [localhost]
                    tls: {mode: SIMPLE, credentialName: edge-cert}
                  - port: {number: %d, name: https, protocol: HTTPS}
                    hosts: ['*']
                    tls: {mode: SIMPLE, credentialName: edge-cert}
                  - port: {number: %d, name: http, protocol: HTTP}
                    hosts: ['*']
                    tls: {httpsRedirect: true}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: echo}
                spec:
                  hosts: ['*']
                  gateways: [edge]
                  tls:
                  - match: [{sniHosts: [echo.example.com]}]
                    route:
                    - {destination: {host: echo-tls, subset: v1}, weight: 80}
                    - {destination: {host: echo-tls, subset: v2}, weight: 20}
                  tcp:
                  - match: [{port: %d}]
                    route:
                    - {destination: {host: echo, subset: v1}, weight: 80}
                    - {destination: {host: echo, subset: v2}, weight: 20}
                  http:
                  - route: [{destination: {host: web}}]
                """.formatted(plainOne.port(), plainTwo.port(), tlsOne.port(), tlsTwo.port(), web.port(),
                passthroughPort, terminatePort, httpsPort, redirectPort, terminatePort);
    }

    void publish(String yaml) throws Exception {
        publish(tables, yaml);
    }

    /** {@code yaml} as the node's next generation, on the bus as the validator puts it, once the node runs it. */
    static void publish(RouteTableHolder tables, String yaml) throws Exception {
        long generation = tables.get().generation() + 1;
        var parsed = ResourceReader.readBody(yaml.getBytes(StandardCharsets.UTF_8), BodyFormat.YAML);
        assertThat(parsed.errors()).isEmpty();
        MeshSnapshot snapshot = new MeshSnapshot(null, generation, UUID.randomUUID().toString(), Instant.now(),
                MeshConfig.empty().apply(parsed.resources()).config().all());
        Bus.send(MeshTopics.CONFIG, MeshTopics.MESH_KEY, EventCodec.encode(snapshot));
        await().atMost(Duration.ofSeconds(20)).until(() -> tables.get().generation() == generation);
    }

    static SSLSocket tls(SSLContext context, int port, String sni) throws Exception {
        return DemoPki.connect(context, "127.0.0.1", port, sni);
    }

    static String line(SSLSocket s, String text) throws Exception {
        s.getOutputStream().write((text + "\n").getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    static Map<String, Integer> split(int port, String sni, int n) throws Exception {
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            try (SSLSocket s = tls(PKI.trustingContext(), port, sni)) {
                counts.merge(line(s, "hello").split(" ")[0], 1, Integer::sum);
            }
        }
        return counts;
    }

    @Test
    void tlsIsPassedThroughBySniTerminatedForTcpRoutesAndServedAsHttps() throws Exception {
        DemoPki.Issued edge = PKI.issue("localhost");
        publish(mesh(edge));

        // Passthrough: the backends' own certificate reaches the client, split exactly by SNI's route.
        assertThat(split(passthroughPort, "echo.example.com", 50)).containsExactly(Map.entry("one", 40),
                Map.entry("two", 10));
        try (SSLSocket s = tls(PKI.trustingContext(), passthroughPort, "echo.example.com")) {
            assertThat(((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber())
                    .isEqualTo(BACKEND.cert().getSerialNumber());
        }
        // A name no route takes is closed before any backend sees it.
        assertThatThrownBy(() -> split(passthroughPort, "other.example.com", 1)).isInstanceOf(Exception.class);

        // Terminated here with the Secret's certificate, then relayed in the clear to the tcp route's split.
        assertThat(split(terminatePort, "localhost", 50)).containsExactly(Map.entry("one", 40), Map.entry("two", 10));
        try (SSLSocket s = tls(PKI.trustingContext(), terminatePort, "localhost")) {
            assertThat(((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber())
                    .isEqualTo(edge.cert().getSerialNumber());
        }

        // HTTPS, HTTP/2 by ALPN and HTTP/1.1.
        for (HttpClient.Version version : List.of(HttpClient.Version.HTTP_2, HttpClient.Version.HTTP_1_1)) {
            HttpClient client = HttpClient.newBuilder().sslContext(PKI.trustingContext()).version(version)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + httpsPort
                    + "/get")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.version()).isEqualTo(version);
            assertThat(r.sslSession().orElseThrow().getPeerCertificates()[0]).isEqualTo(edge.cert());
        }

        // httpsRedirect: plain HTTP is answered with the same URL over https.
        HttpResponse<String> redirect = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://localhost:" + redirectPort + "/get?x=1")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(redirect.statusCode()).isEqualTo(301);
        assertThat(redirect.headers().firstValue("location")).hasValue("https://localhost/get?x=1");
    }

    /** DestinationRule tls: the proxy speaks TLS to the destination, checking its certificate, and mTLS when asked. */
    @Test
    void tlsIsOriginatedTowardDestinationsThatAskForIt() throws Exception {
        DemoPki.Issued client = PKI.issue("kshift-proxy");
        String origination = """
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: internal-ca}
                data: {ca.crt: %s}
                ---
                %s
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web-tls}
                spec: {ports: [{name: https, port: 8443}], selector: {app: web-tls}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: web-tls}
                spec: {address: 127.0.0.1, ports: {https: %d}, labels: {app: web-tls}}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: web-tls}
                spec:
                  host: web-tls
                  trafficPolicy: {tls: {mode: SIMPLE, credentialName: internal-ca, sni: web.internal}}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: mutual}
                spec: {ports: [{name: tls, port: 9443}], selector: {app: mutual}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: mutual}
                spec: {address: 127.0.0.1, ports: {tls: %d}, labels: {app: mutual}}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: mutual}
                spec:
                  host: mutual
                  trafficPolicy: {tls: {mode: MUTUAL, credentialName: client-cert, sni: mutual.internal}}
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: inside}
                spec:
                  servers:
                  - port: {number: %d, name: tcp, protocol: TCP}
                    hosts: ['*']
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: inside}
                spec:
                  hosts: ['*']
                  gateways: [inside]
                  tcp: [{route: [{destination: {host: mutual}}]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web-tls}
                spec:
                  hosts: [web-tls.example.com]
                  gateways: [edge]
                  http: [{route: [{destination: {host: web-tls}}]}]
                """.formatted(Base64.getEncoder().encodeToString(PKI.caPem().getBytes(StandardCharsets.US_ASCII)),
                secret("client-cert", client).replace("\ndata: {", "\ndata: {ca.crt: " + Base64.getEncoder()
                        .encodeToString(PKI.caPem().getBytes(StandardCharsets.US_ASCII)) + ", "),
                webTls.port(), mutualOne.port(), originatePort);
        publish(mesh(PKI.issue("localhost")) + origination);

        // HTTPS to the gateway, a new TLS session from the proxy to the HTTPS backend (its certificate checked
        // for sni web.internal against the Secret's CA). Host web-tls.example.com: a raw request, as Java's client
        // cannot set Host.
        try (SSLSocket s = tls(PKI.trustingContext(), httpsPort, "localhost")) {
            s.getOutputStream().write("GET /get HTTP/1.1\r\nHost: web-tls.example.com\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 200").containsIgnoringCase("x-echo-version: tls-v1");
        }
        // TCP in the clear to the gateway, mutual TLS from the proxy to a backend that demands a client certificate.
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", originatePort)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write("hi\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine())
                    .isEqualTo("mutual hi");
        }

        // A second endpoint that answers no TLS (it closes every connection it takes): its handshake fails before
        // any of the request leaves, a connect failure, so Istio's default retries (connect-failure) take each
        // such request to the good endpoint.
        java.util.concurrent.atomic.AtomicInteger closed = new java.util.concurrent.atomic.AtomicInteger();
        ServerSocket closing = io.kshift.testkit.Accepting.loopback(taken -> {
            closed.incrementAndGet();
            try {
                taken.close();
            } catch (java.io.IOException e) {
                // closed either way
            }
        });
        publish(mesh(PKI.issue("localhost")) + origination + """
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: web-tls-closing}
                spec: {address: 127.0.0.1, ports: {https: %d}, labels: {app: web-tls}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: mutual-closing}
                spec: {address: 127.0.0.1, ports: {tls: %d}, labels: {app: mutual}}
                """.formatted(closing.getLocalPort(), closing.getLocalPort()));
        // TCP too: a connection is relayed once its endpoint's handshake holds; one whose handshake fails is a
        // refused connection, and the session tries the next endpoint, as Envoy's TCP proxy does.
        for (int i = 0; i < 6; i++) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", originatePort)) {
                s.setSoTimeout(5000);
                s.getOutputStream().write(("hi " + i + "\n").getBytes(StandardCharsets.US_ASCII));
                assertThat(new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))
                        .readLine()).as("connection %d", i).isEqualTo("mutual hi " + i);
            }
        }
        for (int i = 0; i < 6; i++) {
            try (SSLSocket s = tls(PKI.trustingContext(), httpsPort, "localhost")) {
                s.getOutputStream().write("GET /get HTTP/1.1\r\nHost: web-tls.example.com\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(answer).as("request %d", i).startsWith("HTTP/1.1 200")
                        .containsIgnoringCase("x-echo-version: tls-v1");
            }
        }
        closing.close();
        assertThat(closed).as("the closing endpoint was tried").hasPositiveValue();
    }

    @Test
    void anUpstreamThatNeverAnswersTheHandshakeIsGivenUpAtTheConnectTimeout() throws Exception {
        // It takes the connection and says nothing: without a bound of its own the pool's handshake would wait
        // Netty's 10 s, per try, while the request waits.
        List<java.net.Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
        ServerSocket silent = io.kshift.testkit.Accepting.loopback(held::add);
        try {
            publish(mesh(PKI.issue("localhost")) + """
                    ---
                    apiVersion: v1
                    kind: Service
                    metadata: {name: silent}
                    spec: {ports: [{name: https, port: 8443}], selector: {app: silent}}
                    ---
                    apiVersion: networking.istio.io/v1
                    kind: WorkloadEntry
                    metadata: {name: silent}
                    spec: {address: 127.0.0.1, ports: {https: %d}, labels: {app: silent}}
                    ---
                    apiVersion: networking.istio.io/v1
                    kind: DestinationRule
                    metadata: {name: silent}
                    spec:
                      host: silent
                      trafficPolicy:
                        connectionPool: {tcp: {connectTimeout: 300ms}}
                        tls: {mode: SIMPLE, insecureSkipVerify: true}
                    ---
                    apiVersion: networking.istio.io/v1
                    kind: VirtualService
                    metadata: {name: silent}
                    spec:
                      hosts: [silent.example.com]
                      gateways: [edge]
                      http: [{route: [{destination: {host: silent}}], retries: {attempts: 1, retryOn: connect-failure}}]
                    """.formatted(silent.getLocalPort()));
            long started = System.nanoTime();
            try (SSLSocket s = tls(PKI.trustingContext(), httpsPort, "localhost")) {
                s.setSoTimeout(8000);
                s.getOutputStream().write("GET /get HTTP/1.1\r\nHost: silent.example.com\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(answer).startsWith("HTTP/1.1 503").contains("UF");
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("two tries of 300 ms each, not of 10 s")
                    .isLessThan(Duration.ofSeconds(5));
            assertThat(held).as("both tries reached the endpoint").hasSizeGreaterThanOrEqualTo(2);
        } finally {
            silent.close();
            for (java.net.Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void aTlsPortThatStartsAskingForClientCertificatesDrainsTheConnectionsItLetInWithout() throws Exception {
        DemoPki.Issued cert = PKI.issue("localhost");
        publish(mesh(cert));
        try (SSLSocket live = tls(PKI.trustingContext(), terminatePort, "localhost")) {
            assertThat(line(live, "before")).endsWith(" before");
            String mutual = mesh(cert).replaceFirst("\ndata: \\{", "\ndata: {ca.crt: " + Base64.getEncoder()
                    .encodeToString(PKI.caPem().getBytes(StandardCharsets.US_ASCII)) + ", ")
                    .replace("name: tls-terminate, protocol: TLS}\n    hosts: [localhost]\n    tls: {mode: SIMPLE",
                            "name: tls-terminate, protocol: TLS}\n    hosts: [localhost]\n    tls: {mode: MUTUAL");
            assertThat(mutual).contains("tls: {mode: MUTUAL");
            publish(mutual);
            // Admitted without a certificate under the old rule: it may not go on under the new one (after the
            // drain, 2 s in tests), as an HTTPS port's connections do not.
            live.setSoTimeout(10_000);
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                try {
                    live.getOutputStream().write("still?\n".getBytes(StandardCharsets.UTF_8));
                    return live.getInputStream().read() < 0;
                } catch (java.io.IOException e) {
                    return true;
                }
            });
            assertThatThrownBy(() -> line(tls(PKI.trustingContext(), terminatePort, "localhost"), "new"))
                    .as("a new connection without a certificate").isInstanceOf(java.io.IOException.class);
        }
    }

    @Test
    void aNewCertificateReachesNewConnectionsWhileLiveOnesGoOn() throws Exception {
        DemoPki.Issued first = PKI.issue("localhost");
        publish(mesh(first));
        try (SSLSocket live = tls(PKI.trustingContext(), terminatePort, "localhost")) {
            assertThat(line(live, "before")).endsWith(" before");
            DemoPki.Issued second = PKI.issue("localhost");
            publish(mesh(second));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                try (SSLSocket fresh = tls(PKI.trustingContext(), terminatePort, "localhost")) {
                    assertThat(fresh.getSession().getPeerCertificates()[0]).isEqualTo(second.cert());
                }
            });
            HttpClient client = HttpClient.newBuilder().sslContext(PKI.trustingContext()).build();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(client.send(HttpRequest.newBuilder(
                    URI.create("https://localhost:" + httpsPort + "/get")).build(), HttpResponse.BodyHandlers
                    .ofString()).sslSession().orElseThrow().getPeerCertificates()[0]).isEqualTo(second.cert()));
            // The connection made before the rotation still carries bytes, with its first certificate.
            assertThat(line(live, "after")).endsWith(" after");
            assertThat(live.getSession().getPeerCertificates()[0]).isEqualTo(first.cert());
        }
    }
}
