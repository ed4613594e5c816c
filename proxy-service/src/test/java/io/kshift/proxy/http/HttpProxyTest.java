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
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One proxy node, a real broker, real httpbin-like backends (v1, v2, and a broken v1 endpoint that answers 503),
 * real sockets: for each HTTP feature, what the client gets and which backend saw what.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class HttpProxyTest {
    static HttpEcho v1;
    static HttpEcho v2;
    static HttpEcho broken;
    static HttpEcho v1b;
    static ServerSocket blackhole;
    static int gatewayPort;
    static HttpMesh mesh;
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @Inject
    RouteTableHolder tables;
    @Inject
    HttpProxy proxy;

    @BeforeAll
    static void backends() throws Exception {
        v1 = HttpEcho.start("127.0.0.1", 0, "v1");
        v2 = HttpEcho.start("127.0.0.1", 0, "v2");
        broken = HttpEcho.start("127.0.0.1", 0, "v1-broken", 503, true);
        v1b = HttpEcho.start("127.0.0.1", 0, "v1b");
        blackhole = new ServerSocket(0);
        try (ServerSocket probe = new ServerSocket(0)) {
            gatewayPort = probe.getLocalPort();
        }
        mesh = new HttpMesh(gatewayPort, v1.port(), v2.port());
    }

    @AfterAll
    static void stop() throws Exception {
        v1.close();
        v2.close();
        broken.close();
        v1b.close();
        blackhole.close();
    }

    @BeforeEach
    void clear() {
        v1.clear();
        v2.clear();
        broken.clear();
    }

    void publish(String... yaml) {
        mesh.publishNext(tables, yaml);
    }

    static HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + path))
                .timeout(Duration.ofSeconds(8));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String version(HttpResponse<String> r) {
        return r.headers().firstValue("x-echo-version").orElse("status " + r.statusCode());
    }

    static Map<String, Integer> versions(int n, String path, String... headers) throws Exception {
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            counts.merge(version(get(path, headers)), 1, Integer::sum);
        }
        return counts;
    }

    /** A loopback backend answering every request with {@code answer}, for what HttpEcho does not send. */
    static com.sun.net.httpserver.HttpServer backend(com.sun.net.httpserver.HttpHandler answer) throws Exception {
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            try (ex) {
                answer.handle(ex);
            }
        });
        server.start();
        return server;
    }

    static final String TO_V1 = "    route: [{destination: {host: httpbin, subset: v1, port: {number: 8000}}}]\n";

    @Test
    void routesByHeaderAndPrefixThenSplitsExactly() throws Exception {
        publish(HttpMesh.rule(""), HttpMesh.routes("""
                  - match: [{headers: {user: {exact: zhj1}}}]
                    route: [{destination: {host: httpbin, subset: v1, port: {number: 8000}}}]
                  - match: [{uri: {prefix: /istio-v2}}]
                    route: [{destination: {host: httpbin, subset: v2, port: {number: 8000}}}]
                  - route:
                    - {destination: {host: httpbin, subset: v1, port: {number: 8000}}, weight: 75}
                    - {destination: {host: httpbin, subset: v2, port: {number: 8000}}, weight: 25}
                """));
        assertThat(versions(20, "/anything", "user", "zhj1")).containsExactly(Map.entry("v1", 20));
        assertThat(versions(20, "/istio-v2/page")).containsExactly(Map.entry("v2", 20));
        assertThat(versions(100, "/anything")).as("smooth weighted round-robin: exact per node")
                .containsExactly(Map.entry("v1", 75), Map.entry("v2", 25));
        assertThat(v2.seen()).filteredOn(s -> s.uri().equals("/istio-v2/page")).hasSize(20)
                .allSatisfy(s -> assertThat(s.headers()).containsKeys("x-forwarded-for", "x-request-id"));
    }

    /** Paths are normalised before matching and forwarded normalised: a prefix route is not walked around. */
    @Test
    void pathsAreNormalisedBeforeMatchingAsEnvoyDoes() throws Exception {
        publish(HttpMesh.rule(""), HttpMesh.routes("""
                  - match: [{uri: {prefix: /istio-v2}}, {uri: {exact: /admin}}]
                    route: [{destination: {host: httpbin, subset: v2, port: {number: 8000}}}]
                  - route: [{destination: {host: httpbin, subset: v1, port: {number: 8000}}}]
                """));
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", gatewayPort)) {
            // A fragment is no part of the target: without it, the exact match holds.
            s.setSoTimeout(8000);
            s.getOutputStream().write(("GET /admin#x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 200").containsIgnoringCase("x-echo-version: v2");
        }
        assertThat(v2.seen()).extracting(HttpEcho.Seen::uri).containsExactly("/admin");
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", gatewayPort)) {
            s.setSoTimeout(8000);
            s.getOutputStream().write(("GET /public/..//istio-v2/%70age?q=/../x HTTP/1.1\r\nHost: h\r\n"
                    + "Connection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 200").containsIgnoringCase("x-echo-version: v2");
        }
        assertThat(v2.seen()).extracting(HttpEcho.Seen::uri).contains("/istio-v2/page?q=/../x");
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", gatewayPort)) {
            s.setSoTimeout(8000);
            s.getOutputStream().write("GET /a%zz HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            assertThat(new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII))
                    .startsWith("HTTP/1.1 400");
        }
    }

    @Test
    void aCatastrophicRegexAgainstAHostileHeaderAnswersPromptlyWhileOtherRequestsFlow() throws Exception {
        // With a backtracking engine this header pinned an event loop for good; RE2 matches it in linear time.
        publish(HttpMesh.rule(""), HttpMesh.routes("""
                  - match: [{headers: {x-user: {regex: "(.*a){12}"}}}]
                    route: [{destination: {host: httpbin, subset: v2, port: {number: 8000}}}]
                  - route: [{destination: {host: httpbin, subset: v1, port: {number: 8000}}}]
                """));
        var hostile = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return version(get("/hostile", "x-user", "a".repeat(40) + "b"));
            } catch (Exception e) {
                return e.toString();
            }
        });
        assertThat(versions(20, "/ordinary")).containsExactly(Map.entry("v1", 20));
        assertThat(hostile.get(8, java.util.concurrent.TimeUnit.SECONDS)).as("no match, so the default route")
                .isEqualTo("v1");
        assertThat(version(get("/matching", "x-user", "a".repeat(12)))).isEqualTo("v2");
    }

    @Test
    void headersOverTheLimitAre431WhileOrdinaryAndLargeOnesPass() throws Exception {
        publish(HttpMesh.rule(""), HttpMesh.routes(TO_V1.replaceFirst("    route", "  - route")));
        assertThat(version(get("/large", "x-big", "b".repeat(20_000)))).as("20 KB: under Envoy's 60 KiB")
                .isEqualTo("v1");
        try (Socket s = new Socket("127.0.0.1", gatewayPort)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET /huge HTTP/1.1\r\nHost: x\r\nx-huge: " + "h".repeat(70_000)
                    + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String status = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                    java.nio.charset.StandardCharsets.US_ASCII)).readLine();
            assertThat(status).startsWith("HTTP/1.1 431");
        }
        assertThat(versions(5, "/after")).containsExactly(Map.entry("v1", 5));
    }

    @Test
    void bodiesBufferedOverTheNodesBudgetAre503OmAndTheBudgetComesBack() throws Exception {
        // The test profile gives the node 1 MiB of request-body buffer (the default is 64 MiB). Bodies that go
        // upstream stream (RequestStreamingTest); one the proxy answers itself is read whole first, within the budget.
        publish(HttpMesh.rule(""), HttpMesh.routes("""
                  - match: [{uri: {prefix: /maintenance}}]
                    directResponse: {status: 200, body: {string: up}}
                """ + TO_V1.replaceFirst("    route", "  - route")));
        HttpResponse<String> greedy = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort
                + "/maintenance")).timeout(Duration.ofSeconds(8)).POST(HttpRequest.BodyPublishers.ofByteArray(
                new byte[2 * 1024 * 1024])).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(greedy.statusCode()).isEqualTo(503);
        assertThat(greedy.headers().firstValue("x-kshift-response-flags")).hasValue("OM");
        HttpResponse<String> modest = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort
                + "/upload")).timeout(Duration.ofSeconds(8)).POST(HttpRequest.BodyPublishers.ofByteArray(
                new byte[100 * 1024])).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(version(modest)).isEqualTo("v1");
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.bufferedBytes() == 0);
    }

    @Test
    void anAbortFaultAnswersWithoutReachingABackend() throws Exception {
        publish(HttpMesh.rule(""), HttpMesh.routes("""
                  - fault: {abort: {httpStatus: 400, percentage: {value: 100}}}
                """ + TO_V1));
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = get("/headers");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.headers().firstValue("x-kshift-response-flags")).hasValue("FI");
        }
        assertThat(v1.seen()).as("no backend saw a request").isEmpty();
        assertThat(v2.seen()).isEmpty();
    }

    /** The route's response header edits are on the proxy's own answers too (Envoy's local replies get them). */
    @Test
    void theProxysOwnAnswersCarryTheRoutesResponseHeaders() throws Exception {
        publish(HttpMesh.rule(""), HttpMesh.routes("""
                  - match: [{uri: {prefix: /abort}}]
                    fault: {abort: {httpStatus: 503, percentage: {value: 100}}}
                    headers: {response: {set: {strict-transport-security: max-age=31536000}}}
                """ + TO_V1 + """
                  - timeout: 300ms
                    retries: {attempts: 0}
                    headers: {response: {set: {cache-control: no-store}}}
                """ + TO_V1));
        HttpResponse<String> aborted = get("/abort");
        assertThat(aborted.statusCode()).isEqualTo(503);
        assertThat(aborted.headers().firstValue("strict-transport-security")).hasValue("max-age=31536000");
        HttpResponse<String> late = get("/delay/1");
        assertThat(late.statusCode()).isEqualTo(504);
        assertThat(late.headers().firstValue("cache-control")).hasValue("no-store");
        // The backend still answers the timed-out request: let it, or the next test sees it.
        await().atMost(Duration.ofSeconds(5)).until(() -> v1.seen().stream().anyMatch(s -> s.uri().equals("/delay/1")));
    }

    @Test
    void aDelayFaultHoldsTheRequestThenForwardsIt() throws Exception {
        publish(HttpMesh.rule(""), HttpMesh.routes("""
                  - fault: {delay: {fixedDelay: 700ms, percentage: {value: 100}}}
                """ + TO_V1));
        long start = System.nanoTime();
        HttpResponse<String> r = get("/headers");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the fault held it").isGreaterThanOrEqualTo(
                Duration.ofMillis(700));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-kshift-response-flags")).hasValue("DI");
        assertThat(v1.seen()).hasSize(1);
    }

    @Test
    void retriesMoveToAnotherEndpointAndWithoutThemTheErrorShows() throws Exception {
        String brokenEndpoint = HttpMesh.endpoint("httpbin-v1-broken", broken.port(), "v1");
        publish(brokenEndpoint, HttpMesh.rule(""), HttpMesh.routes("""
                  - retries: {attempts: 3, perTryTimeout: 2s, retryOn: 5xx}
                """ + TO_V1));
        assertThat(versions(20, "/get")).as("every 503 was retried on the healthy endpoint")
                .containsExactly(Map.entry("v1", 20));
        assertThat(broken.seen()).isNotEmpty();
        assertThat(v1.seen()).anySatisfy(s -> assertThat(s.headers().get("x-envoy-attempt-count")).isEqualTo("2"));

        publish(brokenEndpoint, HttpMesh.rule(""), HttpMesh.routes("""
                  - retries: {attempts: 0}
                """ + TO_V1));
        assertThat(versions(20, "/get")).as("round-robin over both endpoints, no retries")
                .containsExactly(Map.entry("v1", 10), Map.entry("v1-broken", 10));
    }

    @Test
    void anAnswerAnUpstreamProxyShedIsNotRetried() throws Exception {
        for (String shed : List.of("x-envoy-overloaded", "x-envoy-ratelimited")) {
            java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
            com.sun.net.httpserver.HttpServer upstream = backend(ex -> {
                asked.incrementAndGet();
                ex.getResponseHeaders().set(shed, "true");
                ex.sendResponseHeaders(503, -1);
            });
            try {
                publish(HttpMesh.endpoint("httpbin-v1-shed", upstream.getAddress().getPort(), "v1"), HttpMesh.rule(""),
                        HttpMesh.routes("  - retries: {attempts: 3, perTryTimeout: 2s, retryOn: 5xx}\n" + TO_V1));
                Map<String, Integer> answers = versions(20, "/get");
                assertThat(answers).as(shed + ": the shed answers reach the client, not retried")
                        .containsExactly(Map.entry("status 503", 10), Map.entry("v1", 10));
                assertThat(asked).as(shed).hasValue(10);
                assertThat(v1.seen()).as(shed + ": no retry landed on the healthy endpoint")
                        .allSatisfy(r -> assertThat(r.headers().get("x-envoy-attempt-count")).isEqualTo("1"));
            } finally {
                upstream.stop(0);
                v1.clear();
            }
        }
    }

    @Test
    void anAnswersHeadReachesTheClientBeforeItsBodyExists() throws Exception {
        java.util.concurrent.Semaphore headSeen = new java.util.concurrent.Semaphore(0);
        com.sun.net.httpserver.HttpServer events = backend(ex -> {
            ex.getResponseHeaders().set("content-type", "text/event-stream");
            ex.sendResponseHeaders(200, 0); // the head, flushed; the body waits until the client holds the head
            try {
                headSeen.tryAcquire(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.getResponseBody().write("data: first\n\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        });
        try {
            new HttpMesh(gatewayPort, events.getAddress().getPort(), v2.port()).publishNext(tables,
                    HttpMesh.rule(""), HttpMesh.routes("  - retries: {attempts: 0}\n" + TO_V1));
            try (Socket s = new Socket("127.0.0.1", gatewayPort)) {
                s.setSoTimeout(5000);
                var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                        java.nio.charset.StandardCharsets.US_ASCII));
                s.getOutputStream().write("GET /events HTTP/1.1\r\nHost: httpbin\r\n\r\n"
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                assertThat(in.readLine()).as("the head, while the upstream holds its body back").startsWith("HTTP/1.1 200");
                java.util.List<String> head = new java.util.ArrayList<>();
                for (String line; !(line = in.readLine()).isEmpty(); ) {
                    head.add(line.toLowerCase(java.util.Locale.ROOT));
                }
                assertThat(head).contains("content-type: text/event-stream", "transfer-encoding: chunked");
                headSeen.release();
                in.readLine(); // the chunk's size
                assertThat(in.readLine()).isEqualTo("data: first");
            }
            // An HTTP/1.0 client (no chunking: the answer ends with the connection) gets its head early too.
            try (Socket s = new Socket("127.0.0.1", gatewayPort)) {
                s.setSoTimeout(5000);
                var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                        java.nio.charset.StandardCharsets.US_ASCII));
                s.getOutputStream().write("GET /events HTTP/1.0\r\nHost: httpbin\r\n\r\n"
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                assertThat(in.readLine()).as("HTTP/1.0: the head first").startsWith("HTTP/1.0 200");
                while (!in.readLine().isEmpty()) {
                    // the head's fields
                }
                headSeen.release();
                assertThat(in.readLine()).isEqualTo("data: first");
            }
            // The same over HTTP/2 (h2c): the client holds the answer's HEADERS frame while the body is held back.
            HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
            HttpResponse<java.io.InputStream> answer = h2.sendAsync(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + gatewayPort + "/events")).build(),
                    HttpResponse.BodyHandlers.ofInputStream()).get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(answer.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(answer.headers().firstValue("content-type")).hasValue("text/event-stream");
            headSeen.release();
            try (java.io.InputStream body = answer.body()) {
                assertThat(new String(body.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII))
                        .isEqualTo("data: first\n\n");
            }
        } finally {
            headSeen.release(10);
            events.stop(0);
        }
    }

    @Test
    void anHttp10KeepAliveClientGetsAnAnswerOfUnknownLengthEndedByTheConnection() throws Exception {
        com.sun.net.httpserver.HttpServer chunked = backend(ex -> {
            if (ex.getRequestURI().getPath().equals("/empty")) {
                ex.sendResponseHeaders(204, -1);
            } else {
                ex.sendResponseHeaders(200, 0); // no length: chunked to the proxy
                ex.getResponseBody().write("streamed answer\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
        });
        try {
            new HttpMesh(gatewayPort, chunked.getAddress().getPort(), v2.port()).publishNext(tables,
                    HttpMesh.rule(""), HttpMesh.routes("  - retries: {attempts: 0}\n" + TO_V1));
            try (Socket s = new Socket("127.0.0.1", gatewayPort)) {
                s.setSoTimeout(5000);
                s.getOutputStream().write(("GET /stream HTTP/1.0\r\nHost: httpbin\r\nConnection: keep-alive\r\n\r\n")
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                String answer = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
                assertThat(answer).as("read to the connection's end, which came").startsWith("HTTP/1.0 200")
                        .endsWith("\r\n\r\nstreamed answer\n").doesNotContainIgnoringCase("transfer-encoding");
            }
            try (Socket s = new Socket("127.0.0.1", gatewayPort)) { // answers without a body keep the connection
                s.setSoTimeout(5000);
                var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                        java.nio.charset.StandardCharsets.US_ASCII));
                for (String method : List.of("GET /empty", "HEAD /stream", "GET /empty")) {
                    s.getOutputStream().write((method + " HTTP/1.0\r\nHost: httpbin\r\nConnection: keep-alive\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    assertThat(in.readLine()).as(method).startsWith("HTTP/1.0 2");
                    while (!in.readLine().isEmpty()) {
                        // the head's fields
                    }
                }
            }
        } finally {
            chunked.stop(0);
        }
        publish(HttpMesh.rule(""), HttpMesh.routes("  - retries: {attempts: 0}\n" + TO_V1));
        try (Socket s = new Socket("127.0.0.1", gatewayPort)) {
            s.setSoTimeout(5000);
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                    java.nio.charset.StandardCharsets.US_ASCII));
            for (int i = 0; i < 2; i++) { // an answer of known length keeps the 1.0 keep-alive connection
                s.getOutputStream().write(("GET /get HTTP/1.0\r\nHost: httpbin\r\nConnection: keep-alive\r\n\r\n")
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                assertThat(in.readLine()).startsWith("HTTP/1.0 200");
                int length = -1;
                for (String line; !(line = in.readLine()).isEmpty(); ) {
                    if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).trim());
                    }
                }
                assertThat(length).isPositive();
                assertThat(in.skip(length)).isEqualTo(length);
            }
        }
    }

    @Test
    void outlierDetectionEjectsTheFailingEndpoint() throws Exception {
        publish("""
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: httpbin-v1-broken}
                spec: {address: 127.0.0.1, ports: {http: %d}, labels: {app: httpbin, version: v1}}
                """.formatted(broken.port()), HttpMesh.rule("""
                  trafficPolicy:
                    outlierDetection: {consecutive5xxErrors: 2, interval: 1s, baseEjectionTime: 3m, maxEjectionPercent: 100}
                """), HttpMesh.routes("  - retries: {attempts: 0}\n" + TO_V1));
        Map<String, Integer> answers = versions(30, "/get");
        assertThat(broken.seen()).as("ejected after two 5xx in a row").hasSize(2);
        assertThat(answers).containsExactly(Map.entry("v1", 28), Map.entry("v1-broken", 2));
    }

    /** Envoy counts a route timeout against the endpoint that had the request: a hung endpoint is ejected. */
    @Test
    void routeTimeoutsEjectAHungEndpoint() throws Exception {
        try (java.net.ServerSocket hung = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            List<java.net.Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(hung.accept()); // reads nothing, answers nothing
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            acceptor.start();
            publish("""
                    apiVersion: networking.istio.io/v1
                    kind: WorkloadEntry
                    metadata: {name: httpbin-v1-hung}
                    spec: {address: 127.0.0.1, ports: {http: %d}, labels: {app: httpbin, version: v1}}
                    """.formatted(hung.getLocalPort()), HttpMesh.rule("""
                      trafficPolicy:
                        outlierDetection: {consecutive5xxErrors: 2, interval: 1s, baseEjectionTime: 3m, maxEjectionPercent: 100}
                    """), HttpMesh.routes("  - timeout: 300ms\n    retries: {attempts: 0}\n" + TO_V1));
            Map<Integer, Integer> statuses = new TreeMap<>();
            for (int i = 0; i < 12; i++) {
                statuses.merge(get("/get").statusCode(), 1, Integer::sum);
            }
            assertThat(statuses).as("two timeouts, then the hung endpoint is out")
                    .containsExactly(Map.entry(200, 10), Map.entry(504, 2));
            hung.close();
            for (java.net.Socket s : held) {
                s.close();
            }
        }
    }

    String secondV1Endpoint() {
        return """
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: httpbin-v1b}
                spec: {address: 127.0.0.1, ports: {http: %d}, labels: {app: httpbin, version: v1}}
                """.formatted(v1b.port());
    }

    @Test
    void consistentHashKeepsAUserOnOneEndpoint() throws Exception {
        publish(secondV1Endpoint(), HttpMesh.rule("""
                  trafficPolicy:
                    loadBalancer: {consistentHash: {httpHeaderName: user}}
                """), HttpMesh.routes(TO_V1.replace("    route", "  - route")));
        Map<String, String> endpointOf = new TreeMap<>();
        // 16 users: the endpoints' ring positions follow their (random) ports, and 8 users all landed on one
        // endpoint about once in 128 runs; 16 do so about once in 32,768.
        for (int i = 0; i < 64; i++) {
            String user = "user-" + (i % 16);
            String endpoint = version(get("/get", "user", user));
            assertThat(endpointOf.putIfAbsent(user, endpoint) == null || endpointOf.get(user).equals(endpoint))
                    .as("%s stays on %s", user, endpointOf.get(user)).isTrue();
        }
        assertThat(new java.util.HashSet<>(endpointOf.values())).as("users spread over both endpoints")
                .containsExactlyInAnyOrder("v1", "v1b");
    }

    /**
     * Istio's warmup (Envoy's slow start): an endpoint that joins a destination gets a share that starts at the
     * minimum weight, while the endpoint already there keeps its age across the push that added the new one (its own
     * window over, it weighs 1).
     */
    @Test
    void anEndpointThatJoinsIsWarmedUpWithASmallShareFirst() throws Exception {
        // A 3 s window whose curve stays at the 10 % floor for its first two seconds (aggression 0.1: t^10).
        String rule = HttpMesh.rule("""
                  trafficPolicy:
                    loadBalancer: {simple: ROUND_ROBIN, warmup: {duration: 3s, minimumPercent: 10, aggression: 0.1}}
                """);
        String routes = HttpMesh.routes(TO_V1.replace("    route", "  - route"));
        publish(rule, routes);
        assertThat(versions(4, "/get")).containsExactly(Map.entry("v1", 4));
        Thread.sleep(3_200); // the first endpoint's own window ends
        publish(secondV1Endpoint(), rule, routes);
        Map<String, Integer> warming = versions(110, "/get");
        // Weights 1 and 0.1 (10 of 110) while the requests take under two seconds; a slow box's later ones see the
        // curve rise, so the bound is loose, and far below the half the endpoint gets without a warm-up.
        assertThat(warming.get("v1b")).as("about a tenth of %s", warming).isBetween(8, 25);

        // Without a warm-up, an endpoint that joins takes its full share at once.
        publish(HttpMesh.rule(""), routes);
        publish(secondV1Endpoint(), HttpMesh.rule(""), routes);
        assertThat(versions(110, "/get")).containsExactly(Map.entry("v1", 55), Map.entry("v1b", 55));
    }

    @Test
    void aHashCookieWithATtlIsMadeByTheProxyAndKeepsTheClientOnOneEndpoint() throws Exception {
        publish(secondV1Endpoint(), HttpMesh.rule("""
                  trafficPolicy:
                    loadBalancer:
                      consistentHash:
                        httpCookie:
                          name: affinity
                          path: /
                          ttl: 60s
                          attributes: [{name: SameSite, value: Strict}, {name: Secure}]
                """), HttpMesh.routes(TO_V1.replace("    route", "  - route")));
        java.util.Set<String> endpoints = new java.util.HashSet<>();
        // A cookie is a hash of the client's connection (as Envoy makes it): each client here has its own. With 24,
        // all landing on one of two endpoints is a 1-in-8-million chance (12 made it 1 in 2,048, and it happened).
        for (int client = 0; client < 24; client++) {
            String head = closingGet("/get");
            String setCookie = headerOf(head, "set-cookie");
            assertThat(setCookie).startsWith("affinity=").contains("; Max-Age=60")
                    .as("attributes after the path, as Envoy writes them").endsWith("; Path=/; SameSite=Strict; Secure;"
                            + " HttpOnly");
            String cookie = setCookie.substring(0, setCookie.indexOf(';'));
            String endpoint = headerOf(head, "x-echo-version");
            endpoints.add(endpoint);
            for (int i = 0; i < 4; i++) {
                HttpResponse<String> next = get("/get", "cookie", cookie);
                assertThat(version(next)).as("a client with its cookie stays on %s", endpoint).isEqualTo(endpoint);
                assertThat(next.headers().firstValue("set-cookie")).as("only a client without one gets a cookie")
                        .isEmpty();
            }
        }
        assertThat(endpoints).as("clients spread over both endpoints").containsExactlyInAnyOrder("v1", "v1b");
        // Requests without a cookie on one connection (racing HTTP/2 streams, say) get the same one: one endpoint.
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", gatewayPort)) {
            s.setSoTimeout(8000);
            s.getOutputStream().write(("GET /get HTTP/1.1\r\nHost: h\r\n\r\nGET /get HTTP/1.1\r\nHost: h\r\n"
                    + "Connection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String both = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            java.util.List<String> cookies = both.lines().filter(l -> l.regionMatches(true, 0, "set-cookie:", 0, 11))
                    .map(l -> l.substring(l.indexOf(':') + 1, l.indexOf(';')).trim()).toList();
            assertThat(cookies).hasSize(2);
            assertThat(cookies.get(0)).isEqualTo(cookies.get(1));
        }
    }

    /** A request on a connection of its own, closed after the answer; the answer's head. */
    static String closingGet(String path) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", gatewayPort)) {
            s.setSoTimeout(8000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String all = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            return all.substring(0, all.indexOf("\r\n\r\n"));
        }
    }

    static String headerOf(String head, String name) {
        return head.lines().filter(l -> l.regionMatches(true, 0, name + ":", 0, name.length() + 1))
                .map(l -> l.substring(name.length() + 1).trim()).findFirst().orElseThrow(() -> new AssertionError(
                        "no " + name + " in " + head));
    }

    @Test
    void aFullPendingQueueRefusesAtOnce() throws Exception {
        publish(HttpMesh.rule("""
                  trafficPolicy:
                    connectionPool: {tcp: {maxConnections: 1}, http: {http1MaxPendingRequests: 1}}
                """), HttpMesh.routes("  - retries: {attempts: 0}\n" + TO_V1));
        CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> call("/delay/2"));
        await().atMost(Duration.ofSeconds(5)).until(() -> v1.delayed().size() == 1);
        // One connection is busy: of two more requests, one waits in the queue and the other is refused.
        CompletableFuture<HttpResponse<String>> second = CompletableFuture.supplyAsync(() -> call("/get"));
        CompletableFuture<HttpResponse<String>> third = CompletableFuture.supplyAsync(() -> call("/get"));
        List<Integer> statuses = List.of(second.get().statusCode(), third.get().statusCode());
        assertThat(statuses).containsExactlyInAnyOrder(200, 503);
        HttpResponse<String> refused = second.get().statusCode() == 503 ? second.get() : third.get();
        assertThat(refused.headers().firstValue("x-kshift-response-flags")).hasValue("UO");
        assertThat(first.get().statusCode()).isEqualTo(200);
    }

    @Test
    void aDestinationRuleEditRetiresThePoolsOfTheOldSettings() throws Exception {
        String routes = HttpMesh.routes("  - retries: {attempts: 0}\n" + TO_V1);
        publish(HttpMesh.rule("""
                  trafficPolicy:
                    connectionPool: {http: {idleTimeout: 1h}}
                """), routes);
        assertThat(get("/get").statusCode()).isEqualTo(200);
        publish(HttpMesh.rule("""
                  trafficPolicy:
                    connectionPool: {http: {idleTimeout: 2h}}
                """), routes);
        assertThat(get("/get").statusCode()).isEqualTo(200);
        // The 1h pools (and a connection that would have idled for an hour) go once no route names them.
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.upstreamPolicies() == 1);
    }

    /** Headers that steer an Envoy never reach the backend (an Istio sidecar there would act on them). */
    @Test
    void aClientsEnvoyControlHeadersDoNotReachTheBackend() throws Exception {
        publish(HttpMesh.rule(""), HttpMesh.routes("  - retries: {attempts: 0}\n" + TO_V1));
        assertThat(get("/get", "x-envoy-max-retries", "50", "X-Envoy-Upstream-Rq-Timeout-Ms", "1",
                "x-envoy-retry-on", "5xx", "x-envoy-downstream-service-cluster", "forged",
                "x-envoy-custom", "kept").statusCode()).isEqualTo(200);
        assertThat(v1.seen()).singleElement().satisfies(seen -> {
            assertThat(seen.headers()).doesNotContainKeys("x-envoy-max-retries", "x-envoy-upstream-rq-timeout-ms",
                    "x-envoy-retry-on", "x-envoy-downstream-service-cluster");
            assertThat(seen.headers()).containsEntry("x-envoy-custom", "kept");
        });
    }

    @Test
    void aTryWaitingInThePoolsQueueIsNotTimedByItsPerTryTimeout() throws Exception {
        java.util.concurrent.CountDownLatch hold = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch holding = new java.util.concurrent.CountDownLatch(1);
        com.sun.net.httpserver.HttpServer upstream = backend(ex -> {
            if (ex.getRequestURI().getPath().equals("/hold")) {
                holding.countDown();
                try {
                    hold.await(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] body = ex.getRequestURI().getPath().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
        });
        try {
            new HttpMesh(gatewayPort, upstream.getAddress().getPort(), v2.port()).publishNext(tables,
                    HttpMesh.rule("""
                              trafficPolicy:
                                connectionPool: {tcp: {maxConnections: 1}, http: {http1MaxPendingRequests: 5}}
                            """),
                    HttpMesh.routes("  - match: [{uri: {prefix: /hold}}]\n    retries: {attempts: 0}\n" + TO_V1
                            + "  - retries: {attempts: 1, perTryTimeout: 1s, retryOn: retriable-4xx}\n" + TO_V1));
            CompletableFuture<HttpResponse<String>> held = CompletableFuture.supplyAsync(() -> call("/hold"));
            assertThat(holding.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            // The one connection is busy: this request waits in the queue longer than its per-try timeout.
            CompletableFuture<HttpResponse<String>> queued = CompletableFuture.supplyAsync(() -> call("/queued"));
            Thread.sleep(1800);
            assertThat(queued).as("no answer while it waits for the connection").isNotDone();
            hold.countDown();
            assertThat(held.get(5, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            HttpResponse<String> answer = queued.get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(answer.statusCode()).as("its try is timed from when it had the connection, as Envoy's")
                    .isEqualTo(200);
            assertThat(answer.body()).isEqualTo("/queued");
        } finally {
            hold.countDown();
            upstream.stop(0);
        }
    }

    static HttpResponse<String> call(String path) {
        try {
            return get(path);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Istio sets no retry policy at all without attempts: a perTryTimeout beside none cuts nothing short. */
    @Test
    void aPerTryTimeoutWithoutAttemptsBoundsNothing() throws Exception {
        publish(HttpMesh.rule(""), HttpMesh.routes("  - retries: {perTryTimeout: 300ms}\n" + TO_V1));
        assertThat(get("/delay/1").statusCode()).isEqualTo(200);
    }

    @Test
    void theRouteTimeoutAnswers504() throws Exception {
        publish(HttpMesh.rule(""), HttpMesh.routes("  - timeout: 500ms\n    retries: {attempts: 0}\n" + TO_V1));
        HttpResponse<String> r = get("/delay/3");
        assertThat(r.statusCode()).isEqualTo(504);
        assertThat(r.headers().firstValue("x-kshift-response-flags")).hasValue("UT");
        assertThat(get("/get").statusCode()).as("fast requests are unaffected").isEqualTo(200);
    }

    @Test
    void aCircuitBreakerRefusesRequestsOverTheLimit() throws Exception {
        publish(HttpMesh.rule("""
                  trafficPolicy:
                    connectionPool: {http: {http2MaxRequests: 1}}
                """), HttpMesh.routes("  - retries: {attempts: 0}\n" + TO_V1));
        CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> {
            try {
                return get("/delay/2");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> v1.delayed().size() == 1);
        HttpResponse<String> refused = get("/get");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("x-kshift-response-flags")).hasValue("UO");
        assertThat(refused.headers().firstValue("x-envoy-overloaded")).hasValue("true");
        assertThat(slow.get().statusCode()).isEqualTo(200);
        assertThat(get("/get").statusCode()).as("under the limit again").isEqualTo(200);
    }

    @Test
    void mirrorsCopyEveryRequestWithAShadowHostAndNeverWaitForTheMirror() throws Exception {
        publish(HttpMesh.rule(""), HttpMesh.routes("""
                  - mirror: {host: httpbin, subset: v2, port: {number: 8000}}
                    mirrorPercentage: {value: 100}
                """ + TO_V1));
        for (int i = 0; i < 10; i++) {
            assertThat(version(get("/headers", "x-n", String.valueOf(i)))).isEqualTo("v1");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> v2.seen().size() == 10);
        assertThat(v2.seen()).allSatisfy(s -> assertThat(s.host()).isEqualTo("127.0.0.1-shadow:" + gatewayPort));
        assertThat(v1.seen()).allSatisfy(s -> assertThat(s.host()).isEqualTo("127.0.0.1:" + gatewayPort));

        // A mirror that never answers: the client is answered all the same, and the copies are bounded.
        publish(localEntry("blackhole", blackhole.getLocalPort()), HttpMesh.rule(""), HttpMesh.routes("""
                  - mirror: {host: blackhole.test, port: {number: 80}}
                """ + TO_V1));
        for (int i = 0; i < 5; i++) {
            assertThat(get("/get").statusCode()).isEqualTo(200);
        }
        // A copy holds its body until the mirror is done: taken from the node's body budget, after the exchange
        // gave its own back (256 slow copies of 1 MiB were 256 MiB outside it), and given back when it ends.
        try (ServerSocket stall = new ServerSocket(0)) {
            publish(localEntry("stall", stall.getLocalPort()), HttpMesh.rule(""), HttpMesh.routes("""
                      - mirror: {host: stall.test, port: {number: 80}}
                    """ + TO_V1));
            await().atMost(Duration.ofSeconds(5)).until(() -> proxy.bufferedBytes() == 0);
            HttpResponse<String> posted = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + gatewayPort + "/post")).timeout(Duration.ofSeconds(8)).POST(HttpRequest.BodyPublishers
                    .ofByteArray(new byte[20_000])).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(posted.statusCode()).isEqualTo(200);
            assertThat(proxy.bufferedBytes()).as("the stalled copy's body").isGreaterThanOrEqualTo(20_000);
        }
        // Closed, the mirror's connection is reset: the copy ends and its bytes come back.
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.bufferedBytes() == 0);
    }

    /** ServiceEntry {@code name}: host {@code name.test}, port 80 to {@code port} on loopback. */
    static String localEntry(String name, int port) {
        return """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: %1$s}
                spec:
                  hosts: [%1$s.test]
                  ports: [{number: 80, name: http}]
                  resolution: STATIC
                  endpoints: [{address: 127.0.0.1, ports: {http: %2$d}}]
                """.formatted(name, port);
    }

    /**
     * A mirror that answers 200 and resets mid-body is counted 200 UR, as an exchange counts it, not 503 UF (which
     * said the mirror was unreachable, in exactly the dark launch mirrors are for).
     */
    @Test
    void aMirrorCutOffMidAnswerIsCountedWithItsStatusAndUr() throws Exception {
        try (ServerSocket cutoff = new ServerSocket(0)) {
            Thread backend = new Thread(() -> {
                while (!cutoff.isClosed()) {
                    try (Socket s = cutoff.accept()) {
                        var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                                java.nio.charset.StandardCharsets.US_ASCII));
                        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                            // the request's head; a GET has no body
                        }
                        s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npart"
                                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                        s.getOutputStream().flush();
                    } catch (java.io.IOException e) {
                        // closed at the end
                    }
                }
            }, "cutoff-mirror");
            backend.setDaemon(true);
            backend.start();
            publish("""
                    apiVersion: networking.istio.io/v1
                    kind: ServiceEntry
                    metadata: {name: cutoff}
                    spec:
                      hosts: [cutoff.test]
                      ports: [{number: 80, name: http}]
                      resolution: STATIC
                      endpoints: [{address: 127.0.0.1, ports: {http: %d}}]
                    """.formatted(cutoff.getLocalPort()), HttpMesh.rule(""), HttpMesh.routes("""
                      - mirror: {host: cutoff.test, port: {number: 80}}
                    """ + TO_V1));
            assertThat(get("/get").statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> metric("kshift_response_flags_total", "cutoff.test",
                    "response_flags=\"UR\"") == 1);
            assertThat(metric("istio_requests_total", "cutoff.test", "response_code=\"200\"")).isEqualTo(1);
            assertThat(metric("kshift_response_flags_total", "cutoff.test", "response_flags=\"UF\"")).isZero();
        }
    }

    private static double metric(String name, String service, String label) {
        String metrics = io.kshift.testkit.Api.asAdmin().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith(name + "{") && l.contains("\"" + service + "\"")
                        && l.contains(label))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void rewritesHeadersAndRedirects() throws Exception {
        publish(HttpMesh.rule(""), HttpMesh.routes("""
                  - match: [{uri: {prefix: /old}}]
                    redirect: {uri: /new, redirectCode: 302}
                    headers: {response: {set: {strict-transport-security: max-age=31536000}}}
                  - match: [{uri: {prefix: /tls}}]
                    redirect: {scheme: https, derivePort: FROM_PROTOCOL_DEFAULT}
                  - match: [{uri: {prefix: /moved}}]
                    redirect: {authority: new.example.com, derivePort: FROM_REQUEST_PORT}
                  - match: [{uri: {prefix: /secure}}]
                    redirect: {scheme: https}
                  - match: [{uri: {prefix: /api/}}]
                    rewrite: {uri: /}
                    headers:
                      request: {set: {x-route: api}, remove: [x-secret]}
                      response: {add: {x-served-by: kshift}}
                """ + TO_V1));
        HttpResponse<String> moved = get("/old/page");
        assertThat(moved.statusCode()).isEqualTo(302);
        assertThat(moved.headers().firstValue("location")).hasValue("http://127.0.0.1:" + gatewayPort + "/new");
        assertThat(moved.headers().firstValue("strict-transport-security")).as("the route's response edits, as Envoy's")
                .hasValue("max-age=31536000");
        assertThat(get("/tls/a").headers().firstValue("location")).as("derivePort: the scheme's own port")
                .hasValue("https://127.0.0.1/tls/a");
        assertThat(get("/moved").headers().firstValue("location")).as("derivePort: the request's port")
                .hasValue("http://new.example.com:" + gatewayPort + "/moved");
        // No port asked for: the Host's is kept, but not http's own when the scheme changes (Envoy).
        assertThat(locationFor("/secure/a", "shop.example.com:80")).isEqualTo("https://shop.example.com/secure/a");
        assertThat(locationFor("/secure/a", "shop.example.com:8080"))
                .isEqualTo("https://shop.example.com:8080/secure/a");
        HttpResponse<String> api = get("/api/headers?x=1", "x-secret", "s3cret");
        assertThat(api.statusCode()).isEqualTo(200);
        assertThat(api.headers().firstValue("x-served-by")).hasValue("kshift");
        assertThat(v1.seen()).singleElement().satisfies(s -> {
            assertThat(s.uri()).isEqualTo("/headers?x=1");
            assertThat(s.headers()).containsEntry("x-route", "api").doesNotContainKey("x-secret");
        });
        HttpResponse<String> none = get("/elsewhere");
        assertThat(none.statusCode()).as("no route matches").isEqualTo(404);
        assertThat(none.headers().firstValue("x-kshift-response-flags")).hasValue("NR");
    }

    /**
     * Header edits in Envoy's order as Istio configures it: with several destinations a destination's edits come
     * first (its weighted cluster's) and the route's set wins; with one, the destination's set wins; an authority
     * rewrite holds whatever a destination sets for host.
     */
    @Test
    void headerEditsOfARouteAndItsDestinationsGoInEnvoysOrder() throws Exception {
        publish(HttpMesh.rule(""), HttpMesh.routes("""
                  - match: [{uri: {prefix: /split}}]
                    headers: {request: {set: {x-version: stable}}, response: {set: {x-answer: route}}}
                    route:
                    - destination: {host: httpbin, subset: v1, port: {number: 8000}}
                      weight: 50
                      headers: {request: {set: {x-version: canary}}, response: {set: {x-answer: destination}}}
                    - destination: {host: httpbin, subset: v2, port: {number: 8000}}
                      weight: 50
                      headers: {request: {set: {x-version: canary}}, response: {set: {x-answer: destination}}}
                  - rewrite: {authority: rewritten.example.com}
                    headers: {request: {set: {x-version: stable}}}
                    route:
                    - destination: {host: httpbin, subset: v1, port: {number: 8000}}
                      headers: {request: {set: {x-version: canary, host: other.example.com}}}
                """));
        HttpResponse<String> split = get("/split/headers");
        assertThat(split.headers().firstValue("x-answer")).as("several destinations: the route's wins")
                .hasValue("route");
        get("/one/headers");
        java.util.List<HttpEcho.Seen> seen = new java.util.ArrayList<>(v1.seen());
        seen.addAll(v2.seen());
        assertThat(seen).extracting(x -> x.uri() + " " + x.headers().get("x-version") + " " + x.host())
                .containsExactlyInAnyOrder("/split/headers stable 127.0.0.1:" + gatewayPort,
                        "/one/headers canary rewritten.example.com");
    }

    /** The Location of the gateway's answer to {@code path} sent with Host {@code host}. */
    static String locationFor(String path, String host) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gatewayPort)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host
                    + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(),
                    java.nio.charset.StandardCharsets.ISO_8859_1);
            return answer.lines().filter(l -> l.toLowerCase(java.util.Locale.ROOT).startsWith("location:"))
                    .map(l -> l.substring("location:".length()).trim()).findFirst().orElse(null);
        }
    }

    @Test
    void gatewayApiHttpRouteSplitsAndFilters() throws Exception {
        publish(HttpMesh.rule(""), """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: kube-gw}
                spec:
                  gatewayClassName: istio
                  listeners: [{name: http, protocol: HTTP, port: %d}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: httpbin-v1}
                spec: {ports: [{name: http, port: 8000}], selector: {app: httpbin, version: v1}}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: httpbin-v2}
                spec: {ports: [{name: http, port: 8000}], selector: {app: httpbin, version: v2}}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: httpbin}
                spec:
                  parentRefs: [{name: kube-gw}]
                  rules:
                  - matches: [{path: {type: PathPrefix, value: /v2}}]
                    filters:
                    - {type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /}}}
                    backendRefs: [{name: httpbin-v2, port: 8000}]
                  - filters:
                    - type: RequestHeaderModifier
                      requestHeaderModifier: {add: [{name: x-canary, value: 'yes'}]}
                    backendRefs:
                    - {name: httpbin-v1, port: 8000, weight: 90}
                    - {name: httpbin-v2, port: 8000, weight: 10}
                """.formatted(gatewayPort).replace("servers: [{port: {number: " + gatewayPort, "servers: [{port: {number: 1"));
        assertThat(versions(100, "/get")).containsExactly(Map.entry("v1", 90), Map.entry("v2", 10));
        assertThat(v1.seen()).filteredOn(s -> s.uri().equals("/get")).hasSize(90)
                .allSatisfy(s -> assertThat(s.headers()).containsEntry("x-canary", "yes"));
        v2.clear();
        assertThat(version(get("/v2/headers"))).isEqualTo("v2");
        assertThat(versions(5, "/v2x")).as("/v2x is not under /v2").doesNotContainKey("status 404")
                .containsKey("v1");
        assertThat(v2.seen()).first().satisfies(s -> assertThat(s.uri()).isEqualTo("/headers"));
    }

    @Test
    void speaksCleartextHttp2() throws Exception {
        publish(HttpMesh.rule(""), HttpMesh.routes(TO_V1.replace("    route", "  - route")));
        HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        HttpResponse<String> r = h2.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + "/get"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(version(r)).isEqualTo("v1");
        // On the upgraded connection, headers up to the listener's 60 KiB, as on HTTP/1 (Vert.x's HTTP/2 default: 8).
        HttpResponse<String> big = h2.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort
                + "/get")).header("x-big", "b".repeat(20_000)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(big.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(big.statusCode()).isEqualTo(200);
    }
}
