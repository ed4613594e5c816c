package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kshift.proxy.config.RouteTableHolder;
import io.kshift.samples.HttpEcho;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Request bodies stream to the first try as they arrive (one proxy node, a real broker, real backends and
 * sockets): an upload reaches the backend before the client has ended it, a body larger than the node's whole
 * buffer budget passes whole, a kept copy is resent whole on a retry (and a body over the retry buffer is not
 * kept, nor retried), and a body over the request limit is cut. The test profile gives the node a 1 MiB buffer
 * budget.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class RequestStreamingTest {
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    static final String TO_V1 = """
                route: [{destination: {host: httpbin, subset: v1, port: {number: 8000}}}]
            """;
    static final String TO_V2 = """
              - route: [{destination: {host: httpbin, subset: v2, port: {number: 8000}}}]
            """;
    static HttpEcho v1;
    static HttpEcho broken;
    /** v2: a raw backend that tells what it read of the request and when ({@link #rawBackend}). */
    static ServerSocket raw;
    static HttpMesh mesh;
    static int gatewayPort;

    @Inject
    RouteTableHolder tables;
    @Inject
    HttpProxy proxy;

    @BeforeAll
    static void backends() throws Exception {
        v1 = HttpEcho.start("127.0.0.1", 0, "v1");
        broken = HttpEcho.start("127.0.0.1", 0, "v1-broken", 503, true);
        raw = new ServerSocket(0);
        gatewayPort = HttpMesh.freePort();
        mesh = new HttpMesh(gatewayPort, v1.port(), raw.getLocalPort());
    }

    @AfterAll
    static void stop() throws Exception {
        v1.close();
        broken.close();
        raw.close();
    }

    void publish(String... yaml) {
        mesh.publishNext(tables, yaml);
    }

    @Test
    void anUploadReachesTheBackendBeforeTheClientHasEndedIt() throws Exception {
        publish(HttpMesh.rule(""), HttpMesh.routes(TO_V2));
        CountDownLatch firstChunkUpstream = new CountDownLatch(1);
        CompletableFuture<String> seenUpstream = CompletableFuture.supplyAsync(() -> rawBackend(firstChunkUpstream));
        try (Socket client = new Socket("127.0.0.1", gatewayPort)) {
            client.setSoTimeout(10_000);
            OutputStream out = client.getOutputStream();
            out.write("POST /upload HTTP/1.1\r\nHost: httpbin\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(firstChunkUpstream.await(8, TimeUnit.SECONDS))
                    .as("the backend has the head and the first chunk while the client has not ended its body")
                    .isTrue();
            out.write("6\r\n world\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(),
                    StandardCharsets.US_ASCII));
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
        }
        assertThat(seenUpstream.get(8, TimeUnit.SECONDS))
                .as("a body of unknown length goes upstream chunked, whole")
                .contains("transfer-encoding: chunked").endsWith("body=hello world");
    }

    @Test
    void aBodyLargerThanTheNodesWholeBufferBudgetPassesWholeAndTheBudgetComesBack() throws Exception {
        publish(HttpMesh.rule(""), HttpMesh.routes("  - " + TO_V1.strip() + "\n"));
        byte[] body = pattern(2 * 1024 * 1024);
        HttpResponse<String> sized = post(HttpRequest.BodyPublishers.ofByteArray(body));
        assertThat(sized.statusCode()).isEqualTo(200);
        assertWhole(sized, body);
        HttpResponse<String> chunked = post(HttpRequest.BodyPublishers.ofInputStream(
                () -> new ByteArrayInputStream(body)));
        assertThat(chunked.statusCode()).isEqualTo(200);
        assertWhole(chunked, body);
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.bufferedBytes() == 0);
    }

    @Test
    void anHttp2ClientsBodyOfUnknownLengthReachesAnHttp11DestinationWhole() throws Exception {
        publish(HttpMesh.rule(""), HttpMesh.routes("  - " + TO_V1.strip() + "\n"));
        HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        // Cleartext HTTP/2 begins with an upgrade on a first request; the upload then goes as HTTP/2 frames.
        assertThat(h2.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + "/get")).build(),
                HttpResponse.BodyHandlers.discarding()).version()).isEqualTo(HttpClient.Version.HTTP_2);
        byte[] body = pattern(300 * 1024);
        HttpResponse<String> r = h2.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + "/upload"))
                .timeout(Duration.ofSeconds(15)).POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(body))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(r.statusCode()).isEqualTo(200);
        assertWhole(r, body);
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.bufferedBytes() == 0);
    }

    @Test
    void aChunkedUploadThatFailsIsRetriedWholeOnAnotherEndpoint() throws Exception {
        String brokenEndpoint = HttpMesh.endpoint("httpbin-v1-broken", broken.port(), "v1");
        publish(brokenEndpoint, HttpMesh.rule(""), HttpMesh.routes("""
                  - retries: {attempts: 3, perTryTimeout: 5s, retryOn: 5xx}
                """ + TO_V1));
        v1.clear();
        broken.clear();
        byte[] body = pattern(100 * 1024);
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> r = post(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("x-echo-version")).hasValue("v1");
            assertWhole(r, body);
        }
        assertThat(broken.seen()).as("round-robin sent some first tries to the broken endpoint").isNotEmpty();
        assertThat(v1.seen()).as("and their retries, with the kept body and its length, to the healthy one")
                .anySatisfy(s -> {
                    assertThat(s.headers().get("x-envoy-attempt-count")).isEqualTo("2");
                    assertThat(s.headers().get("content-length")).isEqualTo(String.valueOf(body.length));
                });
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.bufferedBytes() == 0);

        // Over the retry buffer (Envoy's 1 MiB) nothing is kept: relayed once, the broken endpoint's answer stands.
        v1.clear();
        broken.clear();
        byte[] large = pattern(2 * 1024 * 1024);
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> r = post(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(large)));
            answers.add(r.statusCode() + " " + r.headers().firstValue("x-echo-version").orElse("-"));
            assertWhole(r, large);
        }
        assertThat(answers).as("round-robin: one try on each endpoint, none retried")
                .containsExactlyInAnyOrder("200 v1", "503 v1-broken");
        assertThat(v1.seen()).noneSatisfy(s -> assertThat(s.headers().get("x-envoy-attempt-count")).isEqualTo("2"));
    }

    @Test
    void aStreamedBodyIsMirroredWholeWithItsLengthOnceTheClientHasEndedIt() throws Exception {
        publish(HttpMesh.rule(""), HttpMesh.routes("""
                  - mirror: {host: httpbin, subset: v1, port: {number: 8000}}
                    mirrorPercentage: {value: 100}
                """ + TO_V1));
        v1.clear();
        byte[] body = pattern(200 * 1024);
        HttpResponse<String> r = post(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));
        assertWhole(r, body);
        await().atMost(Duration.ofSeconds(5)).until(() -> v1.seen().size() == 2);
        assertThat(v1.seen()).filteredOn(s -> s.host().contains("-shadow")).singleElement()
                .satisfies(s -> assertThat(s.headers().get("content-length")).isEqualTo(String.valueOf(body.length)));
    }

    @Test
    void aStreamedBodyOverTheRequestLimitIsCutWith413AndAClientThatSendsOnIsClosedAfterALinger() throws Exception {
        // The test profile's limit is the default's 10 MiB; the proxy answers once the body crosses it.
        publish(HttpMesh.rule(""), HttpMesh.routes("  - " + TO_V1.strip() + "\n"));
        try (Socket client = new Socket("127.0.0.1", gatewayPort)) {
            client.setSoTimeout((int) HttpExchange.LINGER_MILLIS + 5000);
            OutputStream out = client.getOutputStream();
            out.write("POST /upload HTTP/1.1\r\nHost: httpbin\r\nTransfer-Encoding: chunked\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = pattern(64 * 1024);
            byte[] size = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < 11 * 16; i++) { // 11 MiB, and never the last chunk
                        out.write(size);
                        out.write(chunk);
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    out.flush();
                } catch (java.io.IOException e) {
                    // The proxy may have closed the connection by now: what the rest of the test is about.
                }
            });
            long start = System.nanoTime();
            String answer = new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 413").contains(ResponseFlags.HEADER + ": BL");
            assertThat((System.nanoTime() - start) / 1_000_000).as("closed after the linger, not left open")
                    .isBetween(HttpExchange.LINGER_MILLIS - 100, HttpExchange.LINGER_MILLIS + 4000);
            sending.get(10, TimeUnit.SECONDS);
        }
        HttpResponse<String> after = post(HttpRequest.BodyPublishers.ofByteArray(pattern(1000)));
        assertThat(after.statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.bufferedBytes() == 0);
    }

    @Test
    void theRouteTimeoutStartsWhenTheClientHasSentItsWholeBody() throws Exception {
        publish(HttpMesh.rule(""), HttpMesh.routes("""
                  - timeout: 2s
                    retries: {attempts: 1, perTryTimeout: 2s}
                """ + TO_V1));
        String answer = rawUpload("5\r\nhello\r\n", 2600, "6\r\n world\r\n0\r\n\r\n");
        assertThat(answer).as("2.6 s of upload is not 2.6 s of waiting for the upstream").startsWith("HTTP/1.1 200")
                .contains("x-echo-body-bytes: 11");
    }

    @Test
    void aTryThatCannotConnectIsRetriedWhileTheClientIsStillSending() throws Exception {
        String deadEndpoint = HttpMesh.endpoint("httpbin-v1-dead", HttpMesh.freePort(), "v1");
        // No retries given: Istio's default policy (connect failures among them).
        publish(deadEndpoint, HttpMesh.rule(""), HttpMesh.routes("  - " + TO_V1.strip() + "\n"));
        for (int i = 0; i < 2; i++) { // round-robin: one of the two starts on the dead endpoint
            String answer = rawUpload("5\r\nhello\r\n", 300, "6\r\n world\r\n0\r\n\r\n");
            CRC32 crc = new CRC32();
            crc.update("hello world".getBytes(StandardCharsets.US_ASCII));
            assertThat(answer).as("the replayed part, then the live one, in order").startsWith("HTTP/1.1 200")
                    .contains("x-echo-version: v1").contains("x-echo-body-bytes: 11")
                    .contains("x-echo-body-crc32: " + Long.toHexString(crc.getValue()));
        }
    }

    /** A chunked upload in two parts with a pause between: the answer's head, lower case after the status line. */
    static String rawUpload(String first, long pauseMillis, String rest) throws Exception {
        try (Socket client = new Socket("127.0.0.1", gatewayPort)) {
            client.setSoTimeout(10_000);
            OutputStream out = client.getOutputStream();
            out.write(("POST /upload HTTP/1.1\r\nHost: httpbin\r\nTransfer-Encoding: chunked\r\n\r\n" + first)
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(pauseMillis);
            out.write(rest.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(),
                    StandardCharsets.US_ASCII));
            StringBuilder head = new StringBuilder(in.readLine()).append('\n');
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                head.append(line.toLowerCase(Locale.ROOT)).append('\n');
            }
            return head.toString();
        }
    }

    static HttpResponse<String> post(HttpRequest.BodyPublisher body) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + "/upload"))
                .timeout(Duration.ofSeconds(15)).POST(body).build(), HttpResponse.BodyHandlers.ofString());
    }

    static void assertWhole(HttpResponse<String> r, byte[] body) {
        CRC32 crc = new CRC32();
        crc.update(body);
        assertThat(r.headers().firstValue("x-echo-body-bytes")).hasValue(String.valueOf(body.length));
        assertThat(r.headers().firstValue("x-echo-body-crc32")).hasValue(Long.toHexString(crc.getValue()));
    }

    static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + (i >>> 8));
        }
        return b;
    }

    /**
     * One request on the raw backend: its head's lines (lower case) and its chunked body, read chunk by chunk;
     * {@code firstChunk} trips once the first chunk is in. Answers 200.
     */
    static String rawBackend(CountDownLatch firstChunk) {
        try (Socket s = raw.accept()) {
            s.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            StringBuilder seen = new StringBuilder();
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                seen.append(line.toLowerCase(Locale.ROOT)).append('\n');
            }
            StringBuilder body = new StringBuilder();
            for (int size; (size = Integer.parseInt(in.readLine().strip(), 16)) > 0; ) {
                char[] data = new char[size];
                for (int read = 0; read < size; ) {
                    read += in.read(data, read, size - read);
                }
                body.append(data);
                in.readLine();
                firstChunk.countDown();
            }
            in.readLine();
            s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                    .getBytes(StandardCharsets.US_ASCII));
            return seen + "body=" + body;
        } catch (Exception e) {
            return "failed: " + e;
        }
    }
}
