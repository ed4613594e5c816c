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
    @Inject
    HttpProxy proxy;

    /** What a shutdown waits for: every exchange from its start to its end, answered or left by its client. */
    @Test
    void exchangesInFlightAreCountedUntilTheyEnd() throws Exception {
        publishAllToV1();
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.inFlight() == 0);
        // Under this class's 1.5 s stream idle timeout.
        CompletableFuture<HttpResponse<String>> slow = CLIENT.sendAsync(request("/delay/1").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.inFlight() == 1);
        assertThat(slow.get(10, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.inFlight() == 0);
        try (Socket s = new Socket("127.0.0.1", gatewayPort)) {
            s.getOutputStream().write("GET /delay/3 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            await().atMost(Duration.ofSeconds(5)).until(() -> proxy.inFlight() == 1);
        }
        // Within a second: before the stream idle timeout (1.5 s) or the backend (3 s) could end it.
        await("the client left").atMost(Duration.ofMillis(1000)).until(() -> proxy.inFlight() == 0);
    }

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

    @Test
    void anAnswerCutOffPartWayOrLeftByItsClientStillCounts() throws Exception {
        // A backend that begins every answer and never finishes one: /break resets after ten bytes, /slow goes
        // quiet after them, /hold says nothing at all.
        java.net.ServerSocket breaker = io.kshift.testkit.Accepting.loopback(c -> {
            Thread t = new Thread(() -> serveBroken(c));
            t.setDaemon(true);
            t.start();
        });
        try {
            long generation = tables.get().generation() + 1;
            mesh.publish(generation, mesh.services(), HttpMesh.rule(""), """
                    apiVersion: v1
                    kind: Service
                    metadata: {name: breaker}
                    spec: {ports: [{name: http, port: 8000}], selector: {app: breaker}}
                    ---
                    apiVersion: networking.istio.io/v1
                    kind: WorkloadEntry
                    metadata: {name: breaker}
                    spec: {address: 127.0.0.1, ports: {http: %d}, labels: {app: breaker}}
                    """.formatted(breaker.getLocalPort()), HttpMesh.routes("""
                      - match: [{uri: {prefix: /slow}}]
                        route: [{destination: {host: breaker, port: {number: 8000}}}]
                        timeout: 500ms
                      - match: [{uri: {prefix: /break}}, {uri: {prefix: /hold}}]
                        route: [{destination: {host: breaker, port: {number: 8000}}}]
                        retries: {attempts: 0}
                      - route: [{destination: {host: httpbin, subset: v1, port: {number: 8000}}}]
                    """));
            await().atMost(Duration.ofSeconds(20)).until(() -> tables.get().generation() == generation);
            double ok = breakerMetric("istio_requests_total", "response_code=\"200\"");
            double reset = breakerMetric("kshift_response_flags_total", "response_flags=\"UR\"");
            double timedOut = breakerMetric("kshift_response_flags_total", "response_flags=\"UT\"");
            double left = breakerMetric("kshift_response_flags_total", "response_flags=\"DC\"");

            for (String path : List.of("/break", "/slow")) {
                try (Socket s = new Socket("127.0.0.1", gatewayPort)) {
                    s.setSoTimeout(5000);
                    s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    assertThat(readUntilCut(s)).as(path).startsWith("HTTP/1.1 200").doesNotContain("x".repeat(11));
                }
            }
            try (Socket s = new Socket("127.0.0.1", gatewayPort)) {
                s.getOutputStream().write("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                Thread.sleep(300);
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(breakerMetric("kshift_response_flags_total", "response_flags=\"UR\""))
                        .as("the reset answer").isEqualTo(reset + 1);
                assertThat(breakerMetric("kshift_response_flags_total", "response_flags=\"UT\""))
                        .as("the answer the route's timeout cut").isEqualTo(timedOut + 1);
                assertThat(breakerMetric("istio_requests_total", "response_code=\"200\""))
                        .as("both, with the status they began with").isEqualTo(ok + 2);
                assertThat(breakerMetric("kshift_response_flags_total", "response_flags=\"DC\""))
                        .as("the client that left").isEqualTo(left + 1);
                assertThat(breakerMetric("istio_requests_total", "response_code=\"0\"")).isPositive();
            });
            // Reset answers are over too (an HTTP/1 reset calls neither the close nor the end handler): a shutdown
            // would otherwise wait its whole deadline for them.
            await().atMost(Duration.ofSeconds(5)).until(() -> proxy.inFlight() == 0);
        } finally {
            breaker.close();
        }
    }

    private static void serveBroken(Socket c) {
        try (c) {
            String head = "";
            java.io.InputStream in = c.getInputStream();
            while (!head.endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                head += (char) b;
            }
            if (head.startsWith("GET /hold")) {
                Thread.sleep(3000);
                return;
            }
            c.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + "x".repeat(10))
                    .getBytes(StandardCharsets.US_ASCII));
            c.getOutputStream().flush();
            if (head.startsWith("GET /break")) {
                Thread.sleep(100);
                c.setSoLinger(true, 0);
            } else {
                Thread.sleep(3000);
            }
        } catch (java.io.IOException | InterruptedException e) {
            // the proxy went away first
        }
    }

    /** What the peer sends before it closes or resets the connection. */
    private static String readUntilCut(Socket s) {
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        try {
            InputStream in = s.getInputStream();
            for (int b = in.read(); b >= 0; b = in.read()) {
                got.write(b);
            }
        } catch (java.io.IOException e) {
            // reset: what came before it is the answer
        }
        return got.toString(StandardCharsets.US_ASCII);
    }

    /** The node's {@code metric} summed over destination {@code breaker}'s series whose labels hold {@code label}. */
    private static double breakerMetric(String metric, String label) {
        String metrics = io.kshift.testkit.Api.asAdmin().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith(metric + "{")
                        && l.contains("destination_service_name=\"breaker\"") && l.contains(label))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
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
