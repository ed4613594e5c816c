package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.proxy.config.RouteTableHolder;
import io.kshift.samples.HttpEcho;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hop-by-hop headers (RFC 9110 7.6.1) stop at the proxy both ways, whatever the case of their names; every other
 * header passes. One node, a real broker, an httpbin-like backend for requests and a raw socket backend whose
 * answer carries hop-by-hop headers in mixed case.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class HopByHopHeadersTest {
    static final String ANSWER = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nKeep-Alive: timeout=5\r\n"
            + "PROXY-CONNECTION: keep-alive\r\nUpgrade: h2c\r\nX-Http2-Stream-Id: 7\r\nX-Kept: yes\r\n"
            + "Trailer: X-Sum\r\nX-Internal: secret\r\nConnection: close, X-Internal\r\n\r\nok";
    static HttpEcho echo;
    static ServerSocket raw;
    static int gatewayPort;
    /** Every request head the raw backend read, as it came over the wire. */
    static final java.util.Queue<String> rawHeads = new java.util.concurrent.ConcurrentLinkedQueue<>();

    @Inject
    RouteTableHolder tables;

    @Inject
    HttpListenerSettings listenerSettings;

    @BeforeAll
    static void backends() throws Exception {
        echo = HttpEcho.start("127.0.0.1", 0, "v1");
        raw = new ServerSocket(0);
        Thread backend = new Thread(() -> {
            while (!raw.isClosed()) {
                try (Socket s = raw.accept()) {
                    s.setSoTimeout(10_000); // one connection at a time: a silent one must not hold the others
                    rawHeads.add(readHead(s.getInputStream()));
                    s.getOutputStream().write(ANSWER.getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // closed at the end, or a connection the proxy dropped: the next accept says which
                }
            }
        }, "raw-backend");
        backend.setDaemon(true);
        backend.start();
        try (ServerSocket probe = new ServerSocket(0)) {
            gatewayPort = probe.getLocalPort();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        echo.close();
        raw.close();
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before the end of the head");
            }
            head.append((char) b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
        }
        return head.toString();
    }

    private void routeTo(int backendPort) {
        new HttpMesh(gatewayPort, backendPort, backendPort).publishNext(tables, HttpMesh.rule(""),
                HttpMesh.routes(HttpProxyTest.TO_V1.replace("    route", "  - route")));
    }

    /** A request written by hand: the JDK's client drops Proxy-* headers and refuses to send Connection. */
    private String rawRequest(String headers) throws IOException {
        try (Socket s = new Socket("127.0.0.1", gatewayPort)) {
            s.setSoTimeout(8000);
            s.getOutputStream().write(("GET /headers HTTP/1.1\r\nHost: 127.0.0.1:" + gatewayPort + "\r\n" + headers
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return readAnswer(s.getInputStream());
        }
    }

    /** One answer: its head, then as many body bytes as its content-length says (or all, to the close). */
    private static String readAnswer(InputStream in) throws IOException {
        StringBuilder text = new StringBuilder();
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) > 0; ) {
            text.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
            int end = text.indexOf("\r\n\r\n");
            var length = java.util.regex.Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(text);
            if (end >= 0 && length.find() && length.start() < end
                    && text.length() >= end + 4 + Integer.parseInt(length.group(1))) {
                break;
            }
        }
        return text.toString();
    }

    @Test
    void aClientsHopByHopHeadersStopAtTheProxyAndTheRestReachTheBackend() throws Exception {
        routeTo(echo.port());
        echo.clear();
        String answer = rawRequest("PROXY-AUTHORIZATION: Basic eA==\r\nProxy-Connection: keep-alive\r\n"
                + "KEEP-ALIVE: timeout=9\r\nTE: gzip\r\nX-Kept: 1\r\nCookie: a=1; kshift-token=t\r\n");
        assertThat(answer).startsWith("HTTP/1.1 200");
        assertThat(echo.seen()).singleElement().satisfies(s -> assertThat(s.headers())
                .doesNotContainKeys("proxy-authorization", "proxy-connection", "keep-alive", "te", "connection")
                .containsEntry("x-kept", "1").containsEntry("cookie", "a=1").containsKey("x-request-id"));
        // Headers the client's Connection field names are for the proxy alone; the proxy's own still go on.
        echo.clear();
        assertThat(rawRequest("X-Hop: 1\r\nX-Forwarded-For: 10.9.9.9\r\nX-Kept: 2\r\nConnection: X-Hop\r\n"
                + "connection: x-forwarded-for\r\n")).startsWith("HTTP/1.1 200");
        assertThat(echo.seen()).singleElement().satisfies(s -> assertThat(s.headers()).doesNotContainKey("x-hop")
                .containsEntry("x-kept", "2").containsEntry("x-forwarded-for", "127.0.0.1"));
        // The one TE that passes: trailers (gRPC needs it), also when named in Connection, as HTTP/1.1 asks.
        echo.clear();
        assertThat(rawRequest("te: trailers\r\nConnection: TE\r\n")).startsWith("HTTP/1.1 200");
        assertThat(echo.seen()).singleElement().satisfies(s -> assertThat(s.headers()).containsEntry("te", "trailers"));
    }

    @Test
    void anUpstreamsHopByHopHeadersStopAtTheProxyAndTheRestReachTheClient() throws Exception {
        routeTo(raw.getLocalPort());
        HttpResponse<String> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + "/x")).timeout(Duration.ofSeconds(8))
                        .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("ok");
        assertThat(r.headers().firstValue("x-kept")).hasValue("yes");
        for (String name : new String[] {"keep-alive", "proxy-connection", "upgrade", "x-http2-stream-id", "trailer",
                "connection", "x-internal"}) {
            assertThat(r.headers().firstValue(name)).as(name).isEmpty();
        }
        // A refused upgrade is an ordinary answer, passed back by the upgrade path: the same headers stop there.
        String refused = rawRequest("Connection: Upgrade\r\nUpgrade: websocket\r\n");
        assertThat(refused).startsWith("HTTP/1.1 200").containsIgnoringCase("\r\nx-kept: yes").endsWith("\r\n\r\nok");
        for (String name : new String[] {"keep-alive", "proxy-connection", "trailer", "x-internal"}) {
            assertThat(refused).as(name).doesNotContainIgnoringCase("\r\n" + name + ":");
        }
    }

    /**
     * Framing two parsers could read differently is refused before routing, and the connection closed, as Envoy's
     * HTTP/1 codec does: an HTTP/1.0 request with both Content-Length and chunking (Netty kept the client's length
     * beside the decoded body, so the upstream read the rest as a request of the client's making), a transfer coding
     * other than chunked, an HTTP/1.1 request without Host. An ordinary chunked request passes.
     */
    @Test
    void requestsWhoseFramingCouldBeReadTwoWaysAreRefusedAndNeverForwarded() throws Exception {
        routeTo(raw.getLocalPort());
        rawHeads.clear();
        String smuggled = "GET /admin HTTP/1.1\r\nHost: internal\r\n\r\n";
        String body = "abcd" + smuggled;
        String both = send("POST /ok HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(body.length()) + "\r\n" + body
                + "\r\n0\r\n\r\n");
        assertThat(both).startsWith("HTTP/1.0 400").contains("both Transfer-Encoding and Content-Length");
        assertThat(send("POST /ok HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                + "4\r\nabcd\r\n0\r\n\r\n")).startsWith("HTTP/1.1 501").contains("other than chunked");
        assertThat(send("GET /ok HTTP/1.1\r\nX-Any: 1\r\n\r\n")).startsWith("HTTP/1.1 400").contains("no Host");
        // A coding Netty does not frame: the "body" parses as a second request on the connection; not routed.
        assertThat(send("POST /ok HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: gzip\r\n\r\n" + smuggled))
                .startsWith("HTTP/1.1 501").doesNotContain("HTTP/1.1 200");
        assertThat(rawHeads).as("none of them reached the backend").isEmpty();

        routeTo(echo.port()); // the raw backend answers before reading a body
        echo.clear();
        assertThat(send("POST /ok HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                + "Connection: close\r\n\r\n4\r\nabcd\r\n0\r\n\r\n")).startsWith("HTTP/1.1 200");
        assertThat(echo.seen()).singleElement().satisfies(seen -> assertThat(seen.uri()).isEqualTo("/ok"));
    }

    /** The client's x-forwarded-for goes on as one line ending in the client's address, as Envoy appends it. */
    @Test
    void theClientsAddressIsAppendedToItsForwardedForLine() throws Exception {
        routeTo(raw.getLocalPort());
        rawHeads.clear();
        assertThat(rawRequest("X-Forwarded-For: 10.9.9.9\r\nX-Forwarded-For: 10.8.8.8\r\n"))
                .startsWith("HTTP/1.1 200");
        assertThat(rawHeads).singleElement().satisfies(head -> assertThat(head.lines()
                .filter(l -> l.toLowerCase(java.util.Locale.ROOT).startsWith("x-forwarded-for:")))
                .containsExactly("x-forwarded-for: 10.9.9.9,10.8.8.8,127.0.0.1"));
    }

    /**
     * An upgrade the endpoint refuses with an answer whose body the route's timeout cuts: the client gets a 504 and
     * telemetry counts that, once (the passed-back 200 was counted too, at its head, with no latency).
     */
    @Test
    void anUpgradesAnswerCutByTheRouteTimeoutIsCountedOnceAsWhatTheClientGot() throws Exception {
        try (ServerSocket slow = new ServerSocket(0)) {
            Thread backend = new Thread(() -> {
                try (Socket s = slow.accept()) {
                    readHead(s.getInputStream());
                    s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial"
                            .getBytes(StandardCharsets.US_ASCII));
                    Thread.sleep(3000);
                } catch (Exception e) {
                    // the proxy gave up on it: what the test is about
                }
            }, "slow-backend");
            backend.setDaemon(true);
            backend.start();
            new HttpMesh(gatewayPort, slow.getLocalPort(), slow.getLocalPort()).publishNext(tables, HttpMesh.rule(""),
                    HttpMesh.routes("  - timeout: 300ms\n    headers: {response: {set: {x-frame-options: DENY}}}\n"
                            + HttpProxyTest.TO_V1));
            double ok = requests("200");
            double timedOut = requests("504");
            assertThat(rawRequest("Connection: Upgrade\r\nUpgrade: websocket\r\n")).startsWith("HTTP/1.1 504")
                    .as("the route's response edits, on the proxy's own answer too")
                    .containsIgnoringCase("\r\nx-frame-options: DENY\r\n");
            assertThat(requests("504")).isEqualTo(timedOut + 1);
            assertThat(requests("200")).as("the 200 the client never got is not counted").isEqualTo(ok);
        }
    }

    private static double requests(String code) {
        String metrics = io.kshift.testkit.Api.asAdmin().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith("istio_requests_total{")
                        && l.contains("destination_service_name=\"httpbin\"") && l.contains("response_code=\"" + code + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /** Bytes written as they are, then everything the proxy sends back until it closes the connection. */
    private String send(String bytes) throws IOException {
        try (Socket s = new Socket("127.0.0.1", gatewayPort)) {
            s.setSoTimeout(8000);
            s.getOutputStream().write(bytes.getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    /**
     * HTTP/2 carries header values as bytes, and a CR LF in one would be two headers on an HTTP/1 upstream, or the
     * end of the head and a second request smuggled onto the pooled connection. Such a request (and one whose
     * {@code :path}, {@code :scheme} or {@code :method} carries a line break) is answered 400 and never reaches the
     * backend; an ordinary one does, and a CONNECT (no {@code :path}) is still answered 400 as before.
     */
    @Test
    void anHttp2RequestWithALineBreakInAHeaderOrAPseudoHeaderIsRefusedNotForwarded() throws Exception {
        routeTo(echo.port());
        echo.clear();
        String smuggle = "a\r\nContent-Length: 0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x";
        assertThat(h2c(get("/headers", "http", "GET", smuggle))).contains("malformed request").contains("x-test");
        assertThat(h2c(get("/headers HTTP/1.1\r\nX-Injected: yes", "http", "GET", "a")))
                .contains("malformed request").contains(":path");
        assertThat(h2c(get("/headers", "http\r\nX-Injected: yes", "GET", "a"))).contains("malformed request")
                .contains(":scheme");
        // Netty's codec may refuse this one itself (the stream or the connection): either way it goes nowhere.
        assertThat(h2c(get("/headers", "http", "GET /headers HTTP/1.1\r\nX-Injected: yes\r\nX:", "a")))
                .satisfiesAnyOf(answer -> assertThat(answer).contains("malformed request").contains(":method"),
                        answer -> assertThat(answer).isEqualTo(REFUSED));
        assertThat(h2c(List.of(new String[] {":method", "CONNECT"}, new String[] {":authority",
                "127.0.0.1:" + gatewayPort}))).as("CONNECT has no :path").contains("invalid path");
        // An ordinary one passes; its :scheme (https, over cleartext) does not set x-forwarded-proto: the connection
        // does, as Envoy sets it.
        assertThat(h2c(get("/headers", "HTTPS", "GET", "plain"))).as("an ordinary HTTP/2 request still passes")
                .contains("plain");
        assertThat(echo.seen()).singleElement().satisfies(seen -> assertThat(seen.headers())
                .containsEntry("x-test", "plain").containsEntry("x-forwarded-proto", "http")
                .doesNotContainKey("x-injected"));
    }

    /**
     * A draining node sends its HTTP/2 clients a GOAWAY (and closes their connections once idle), as Envoy drains:
     * a gRPC channel then opens its next connection elsewhere instead of starting calls the deadline would cut.
     */
    @Test
    void aDrainingNodeTellsItsHttp2ClientsToGoAway() throws Exception {
        routeTo(echo.port());
        try (Socket s = new Socket("127.0.0.1", gatewayPort)) {
            s.setSoTimeout(8000);
            var out = s.getOutputStream();
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(frame(4, 0, 0, new byte[0])); // SETTINGS
            out.flush();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> listenerSettings.http2Connections() > 0);
            // A short drain: the bean is the node's, and HTTP/2 connections other tests open must not be sent away.
            listenerSettings.goAway(Duration.ofMillis(200));
            var in = new java.io.DataInputStream(s.getInputStream());
            boolean goAway = false;
            for (int first; !goAway && (first = in.read()) >= 0; ) {
                int length = first << 16 | in.readUnsignedShort();
                int type = in.readUnsignedByte();
                in.readUnsignedByte();
                in.readInt();
                in.readNBytes(length);
                goAway = type == 7;
            }
            assertThat(goAway).as("a GOAWAY frame before the connection closed").isTrue();
        }
        Thread.sleep(300); // the drain over
    }

    /** What {@link #h2c} says when the request was reset or its connection went away unanswered. */
    private static final String REFUSED = "(refused)";

    private List<String[]> get(String path, String scheme, String method, String testValue) {
        return List.of(new String[] {":method", method}, new String[] {":scheme", scheme},
                new String[] {":path", path}, new String[] {":authority", "127.0.0.1:" + gatewayPort},
                new String[] {"x-test", testValue});
    }

    /**
     * One HTTP/2 request over cleartext with prior knowledge, written by hand (the JDK's client refuses such values):
     * every field an HPACK literal with its name (no table, no Huffman coding), then the answer's DATA as text.
     */
    private String h2c(List<String[]> fields) throws IOException {
        java.io.ByteArrayOutputStream block = new java.io.ByteArrayOutputStream();
        for (String[] field : fields) {
            block.write(0); // literal without indexing, new name
            for (String text : field) {
                block.write(text.length()); // under 127: one byte, no Huffman
                block.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
            }
        }
        try (Socket s = new Socket("127.0.0.1", gatewayPort)) {
            s.setSoTimeout(8000);
            var out = s.getOutputStream();
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(frame(4, 0, 0, new byte[0])); // SETTINGS
            out.write(frame(1, 0x5, 1, block.toByteArray())); // HEADERS, END_STREAM | END_HEADERS
            var in = new java.io.DataInputStream(s.getInputStream());
            StringBuilder data = new StringBuilder();
            while (true) {
                int first = in.read();
                if (first < 0) {
                    return REFUSED; // the connection closed without answering the stream
                }
                int length = first << 16 | in.readUnsignedShort();
                int type = in.readUnsignedByte();
                int flags = in.readUnsignedByte();
                int stream = in.readInt();
                byte[] payload = in.readNBytes(length);
                if (type == 0 && stream == 1) {
                    data.append(new String(payload, StandardCharsets.UTF_8));
                }
                if (type == 3 && stream == 1 || type == 7) {
                    return REFUSED; // RST_STREAM, GOAWAY
                }
                if (stream == 1 && (type == 0 || type == 1) && (flags & 1) != 0) {
                    return data.toString(); // the stream's end
                }
            }
        }
    }

    private static byte[] frame(int type, int flags, int stream, byte[] payload) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(9 + payload.length);
        b.put((byte) (payload.length >>> 16)).putShort((short) payload.length).put((byte) type).put((byte) flags)
                .putInt(stream).put(payload);
        return b.array();
    }
}
