package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kshift.proxy.config.RouteTableHolder;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * WebSockets through an HTTP route, as Istio allows them by default: the upgrade reaches the destination the
 * route's exact weights pick, the 101 comes back, and messages flow both ways over the tunnel.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class WebSocketTest {
    @Inject
    RouteTableHolder tables;
    @Inject
    Vertx vertx;
    HttpServer v1;
    HttpServer v2;

    HttpServer echo(String version) throws Exception {
        return vertx.createHttpServer()
                .requestHandler(r -> {
                    if ("websocket".equalsIgnoreCase(r.getHeader("upgrade"))) {
                        r.toWebSocket().onSuccess(ws -> ws.textMessageHandler(m -> ws.writeTextMessage(version + " "
                                + m)));
                    } else {
                        r.response().putHeader("x-echo-version", version).end("plain " + version);
                    }
                })
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        v1.close();
        v2.close();
    }

    static String exchange(int port, String text) throws Exception {
        CompletableFuture<String> answer = new CompletableFuture<>();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/chat"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                        answer.complete(data.toString());
                        return null;
                    }

                    @Override
                    public void onError(WebSocket socket, Throwable error) {
                        answer.completeExceptionally(error);
                    }
                }).get(10, TimeUnit.SECONDS);
        ws.sendText(text, true).get(5, TimeUnit.SECONDS);
        String got = answer.get(5, TimeUnit.SECONDS);
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        return got;
    }

    /** A session (GEP-1619 sessionPersistence) holds for upgrades: every WebSocket carrying it lands where it began. */
    @Test
    void websocketsKeepTheirSession() throws Exception {
        v1 = echo("v1");
        v2 = echo("v2");
        HttpMesh mesh = new HttpMesh(HttpMesh.freePort(), v1.actualPort(), v2.actualPort());
        int gateway = HttpMesh.freePort();
        mesh.publishNext(tables, GatewayHttpFixture.webServicesAndGateway(gateway) + SessionPersistenceTest.ROUTE
                .formatted("{name: web-a, port: 8000}, {name: web-b, port: 8000}"));
        // An upgrade without a session starts one: its 101 carries it.
        assertThat(upgradeHead(gateway, "/api/chat")).startsWith("HTTP/1.1 101")
                .containsIgnoringCase("\r\nx-session: ");
        var first = HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + gateway + "/api/get")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        String version = first.body().substring("plain ".length());
        String session = first.headers().firstValue("x-session").orElseThrow();
        for (int i = 0; i < 4; i++) {
            CompletableFuture<String> answer = new CompletableFuture<>();
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().header("x-session", session)
                    .buildAsync(URI.create("ws://127.0.0.1:" + gateway + "/api/chat"), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                            answer.complete(data.toString());
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
            ws.sendText("hi", true).get(5, TimeUnit.SECONDS);
            assertThat(answer.get(5, TimeUnit.SECONDS)).as("tunnel %d", i).isEqualTo(version + " hi");
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void websocketsUpgradeThroughTheRouteAndSplitExactly() throws Exception {
        v1 = echo("v1");
        v2 = echo("v2");
        int gateway = HttpMesh.freePort();
        HttpMesh mesh = new HttpMesh(gateway, v1.actualPort(), v2.actualPort());
        long generation = tables.get().generation() + 1;
        mesh.publish(generation, mesh.services(), HttpMesh.rule(""), HttpMesh.routes("""
                  - route:
                    - {destination: {host: httpbin, subset: v1, port: {number: 8000}}, weight: 75}
                    - {destination: {host: httpbin, subset: v2, port: {number: 8000}}, weight: 25}
                """));
        await().atMost(Duration.ofSeconds(20)).until(() -> tables.get().generation() == generation);

        Map<String, Integer> counts = new TreeMap<>();
        // 8, not more: the test profile lets a listener hold 20 connections, and closed tunnels take a moment to go.
        for (int i = 0; i < 8; i++) {
            String answer = exchange(gateway, "hello " + i);
            assertThat(answer).endsWith(" hello " + i);
            counts.merge(answer.split(" ")[0], 1, Integer::sum);
        }
        assertThat(counts).containsExactly(Map.entry("v1", 6), Map.entry("v2", 2));

        // Plain requests on the same route are still plain HTTP.
        var plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(java.net.http.HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + gateway + "/")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(plain.body()).startsWith("plain ");
    }
    /** A raw upgrade request's answer head. */
    static String upgradeHead(int port, String path) throws Exception {
        try (java.net.Socket raw = new java.net.Socket("127.0.0.1", port)) {
            raw.setSoTimeout(5000);
            raw.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n"
                    + "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            StringBuilder head = new StringBuilder();
            byte[] buf = new byte[4096];
            for (int n; head.indexOf("\r\n\r\n") < 0 && (n = raw.getInputStream().read(buf)) > 0; ) {
                head.append(new String(buf, 0, n, java.nio.charset.StandardCharsets.US_ASCII));
            }
            return head.toString();
        }
    }

    /** The route's faults hold for upgrades, as Envoy's fault filter sees the upgrade request like any other. */
    @Test
    void aRoutesFaultsHoldForUpgrades() throws Exception {
        v1 = echo("v1");
        v2 = echo("v2");
        int gateway = HttpMesh.freePort();
        HttpMesh mesh = new HttpMesh(gateway, v1.actualPort(), v2.actualPort());
        long generation = tables.get().generation() + 1;
        mesh.publish(generation, mesh.services(), HttpMesh.rule(""), HttpMesh.routes("""
                  - fault: {abort: {httpStatus: 418, percentage: {value: 100}}}
                    route: [{destination: {host: httpbin, subset: v1, port: {number: 8000}}}]
                """));
        await().atMost(Duration.ofSeconds(20)).until(() -> tables.get().generation() == generation);
        assertThat(upgradeHead(gateway, "/chat")).startsWith("HTTP/1.1 418").containsIgnoringCase("x-kshift-response-flags: FI");

        long delayed = generation + 1;
        mesh.publish(delayed, mesh.services(), HttpMesh.rule(""), HttpMesh.routes("""
                  - fault: {delay: {fixedDelay: 400ms, percentage: {value: 100}}}
                    route: [{destination: {host: httpbin, subset: v1, port: {number: 8000}}}]
                """));
        await().atMost(Duration.ofSeconds(20)).until(() -> tables.get().generation() == delayed);
        long start = System.nanoTime();
        assertThat(upgradeHead(gateway, "/chat")).startsWith("HTTP/1.1 101");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
    }
}
