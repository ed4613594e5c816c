package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kshift.proxy.config.RouteTableHolder;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Slow clients and stalled streams are cut off while others are served: a request head dribbled byte by byte
 * (slowloris) gets 408 and a closed connection after the request-headers timeout; a stream on which nothing moves
 * either way (an upstream that does not answer, a client that stops half-way through its body) gets 408 with flag
 * SI after the stream idle timeout. The timeouts are short in this test's profile (Envoy-like defaults: 10 s, 5 min).
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
@TestProfile(HttpTimeoutsTest.ShortTimeouts.class)
class HttpTimeoutsTest extends GatewayHttpFixture {

    public static class ShortTimeouts implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kshift.proxy.http.request-headers-timeout", "1s",
                    "kshift.proxy.http.stream-idle-timeout", "1500ms",
                    "kshift.proxy.node-id", "timeouts");
        }
    }

    @Inject
    RouteTableHolder tables;
    @Inject
    HttpListenerSettings settings;

    void publishAllToV1() {
        long generation = tables.get().generation() + 1;
        mesh.publish(generation, mesh.services(), HttpMesh.rule(""), HttpMesh.routes(
                "  - route: [{destination: {host: httpbin, subset: v1, port: {number: 8000}}}]\n"));
        await().atMost(Duration.ofSeconds(20)).until(() -> tables.get().generation() == generation);
    }

    /** Over HTTPS too: the timer reads the plaintext, past the TLS handler. */
    @Test
    void aDribbledRequestHeadOverHttpsIsCutOff() throws Exception {
        var pki = io.kshift.samples.tls.DemoPki.create("timeouts-ca");
        var cert = pki.issue("localhost");
        int httpsPort = HttpMesh.freePort();
        long generation = tables.get().generation() + 1;
        mesh.publish(generation, mesh.services(), HttpMesh.rule(""), HttpMesh.routes(
                "  - route: [{destination: {host: httpbin, subset: v1, port: {number: 8000}}}]\n"), """
                apiVersion: v1
                kind: Secret
                metadata: {name: edge}
                type: kubernetes.io/tls
                data: {tls.crt: %s, tls.key: "%s"}
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: edge}
                spec:
                  servers:
                  - port: {number: %d, name: https, protocol: HTTPS}
                    hosts: ['*']
                    tls: {mode: SIMPLE, credentialName: edge}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: edge}
                spec:
                  hosts: ['*']
                  gateways: [edge]
                  http: [{route: [{destination: {host: httpbin, subset: v1, port: {number: 8000}}}]}]
                """.formatted(java.util.Base64.getEncoder().encodeToString(cert.certBytes()),
                io.kshift.testkit.TestIssuer.fleetKeys().seal("default/edge/tls.key", cert.keyBytes()), httpsPort));
        await().atMost(Duration.ofSeconds(20)).until(() -> tables.get().generation() == generation);
        long before = settings.requestHeadersTimeouts();
        try (javax.net.ssl.SSLSocket slow = (javax.net.ssl.SSLSocket) pki.trustingContext().getSocketFactory()
                .createSocket("localhost", httpsPort)) {
            slow.setSoTimeout(5000);
            slow.startHandshake();
            OutputStream out = slow.getOutputStream();
            // A whole request first: the connection serves, and the timer then times the next head.
            out.write("GET /get HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(new InputStreamReader(slow.getInputStream(),
                    StandardCharsets.US_ASCII));
            assertThat(in.readLine()).startsWith("HTTP/1.1 200");
            skipResponse(in);
            long start = System.nanoTime();
            try {
                for (char c : ("GET /get HTTP/1.1\r\nHost: x\r\nx-slow: " + "s".repeat(60)).toCharArray()) {
                    out.write(c);
                    out.flush();
                    Thread.sleep(100);
                }
            } catch (java.io.IOException closedByProxy) {
                // Expected once the proxy gave up on the head.
            }
            assertThat(in.readLine()).startsWith("HTTP/1.1 408");
            assertThat((System.nanoTime() - start) / 1e9).isLessThan(4);
        }
        assertThat(settings.requestHeadersTimeouts()).isEqualTo(before + 1);
    }

    @Test
    void aDribbledRequestHeadIsCutOffWhileOthersAreServed() throws Exception {
        publishAllToV1();
        long before = settings.requestHeadersTimeouts();
        try (Socket slow = new Socket("127.0.0.1", gatewayPort)) {
            slow.setSoTimeout(5000);
            OutputStream out = slow.getOutputStream();
            CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> readAll(slow));
            long start = System.nanoTime();
            String head = "GET /get HTTP/1.1\r\nHost: x\r\nx-slow: " + "s".repeat(200);
            List<Integer> served = new ArrayList<>();
            int sent = 0;
            try {
                // A byte every 100 ms: in 1 s (the timeout) the head is far from done.
                for (; sent < head.length() && !answer.isDone(); sent++) {
                    out.write(head.charAt(sent));
                    out.flush();
                    if (sent % 5 == 0) {
                        served.add(get("/get").statusCode());
                    }
                    Thread.sleep(100);
                }
            } catch (java.io.IOException closedByProxy) {
                // Expected once the proxy gave up on the head.
            }
            String response = answer.get(5, java.util.concurrent.TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(response).startsWith("HTTP/1.1 408");
            assertThat(seconds).as("cut off near the 1 s timeout, not when the head would end").isLessThan(4);
            assertThat(sent).isLessThan(head.length());
            assertThat(served).isNotEmpty().containsOnly(200);
        }
        assertThat(settings.requestHeadersTimeouts()).isEqualTo(before + 1);

        // A keep-alive connection idle between requests is not a slow head: the timer starts at a request's first byte.
        try (Socket keepAlive = new Socket("127.0.0.1", gatewayPort)) {
            keepAlive.setSoTimeout(5000);
            BufferedReader in = new BufferedReader(new InputStreamReader(keepAlive.getInputStream(),
                    StandardCharsets.US_ASCII));
            for (int i = 0; i < 2; i++) {
                keepAlive.getOutputStream().write("GET /get HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(in.readLine()).startsWith("HTTP/1.1 200");
                skipResponse(in);
                // A stray empty line between requests (allowed, RFC 9112 2.2) is no slow head either.
                keepAlive.getOutputStream().write("\r\n".getBytes(StandardCharsets.US_ASCII));
                Thread.sleep(1500);
            }
            assertThat(settings.requestHeadersTimeouts()).isEqualTo(before + 1);
            // The next head on the same connection is timed again: dribbled, it is cut off too.
            try {
                for (char c : "GET /get HTTP/1.1\r\nHost: x\r\n".toCharArray()) {
                    keepAlive.getOutputStream().write(c);
                    Thread.sleep(100);
                }
            } catch (java.io.IOException closedByProxy) {
                // Expected: the proxy gave up on the head before it ended.
            }
            assertThat(in.readLine()).startsWith("HTTP/1.1 408");
        }
        assertThat(settings.requestHeadersTimeouts()).isEqualTo(before + 2);
    }

    @Test
    void aStreamOnWhichNothingMovesIs408SiWhileSlowButMovingOnesPass() throws Exception {
        publishAllToV1();
        CompletableFuture<HttpResponse<String>> stalled = CLIENT.sendAsync(request("/delay/4").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get("/delay/1").statusCode()).as("silent for 1 s, under the 1.5 s stream idle timeout")
                .isEqualTo(200);
        HttpResponse<String> cut = stalled.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(cut.statusCode()).isEqualTo(408);
        assertThat(cut.headers().firstValue(ResponseFlags.HEADER)).hasValue(ResponseFlags.STREAM_IDLE);

        // A client that stops half-way through its body.
        try (Socket s = new Socket("127.0.0.1", gatewayPort)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(("POST /post HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"
                    + "x".repeat(100)).getBytes(StandardCharsets.US_ASCII));
            long start = System.nanoTime();
            String response = readAll(s);
            assertThat(response).startsWith("HTTP/1.1 408").contains(ResponseFlags.HEADER + ": SI");
            assertThat((System.nanoTime() - start) / 1e9).isLessThan(4);
            // The answer and then the end of the proxy's side; what the client still sends for a moment is taken,
            // not reset (a reset can overtake the answer): Envoy's delayed close.
            s.getOutputStream().write("x".repeat(100).getBytes(StandardCharsets.US_ASCII));
            Thread.sleep(50);
            s.getOutputStream().write("x".repeat(100).getBytes(StandardCharsets.US_ASCII));
        }
        assertThat(get("/get").statusCode()).isEqualTo(200);
    }

    static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + path))
                .timeout(Duration.ofSeconds(10));
    }

    static HttpResponse<String> get(String path) throws Exception {
        return CLIENT.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Everything the peer sends until it closes (or 5 s of silence). */
    static String readAll(Socket s) {
        try {
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (java.io.IOException e) {
            return "failed: " + e;
        }
    }

    private static void skipResponse(BufferedReader in) throws java.io.IOException {
        int length = 0;
        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).strip());
            }
        }
        for (int i = 0; i < length; i++) {
            in.read();
        }
    }
}
