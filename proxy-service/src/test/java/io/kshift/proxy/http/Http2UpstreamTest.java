package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.registry.HostPort;
import io.kshift.proxy.routing.Upstream;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.impl.VertxInternal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP/2 upstream client against a real HTTP/2 server (Vert.x, cleartext, prior knowledge): calls are streams
 * on one connection per loop, concurrent ones too; bodies and trailers come back; a reset call resets its stream
 * only.
 */
class Http2UpstreamTest {
    static Vertx vertx;
    static EventLoop loop;
    static HttpServer server;
    static final Set<Object> connections = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        loop = ((VertxInternal) vertx).nettyEventLoopGroup().next();
        server = vertx.createHttpServer().requestHandler(r -> {
            connections.add(r.connection());
            if (r.version() != HttpVersion.HTTP_2) {
                r.response().setStatusCode(505).end();
                return;
            }
            if (r.path().equals("/slow")) {
                return; // never answers: the caller resets it
            }
            if (r.path().equals("/drain")) {
                // A graceful restart: GOAWAY, this answer still goes out, then the connection closes.
                r.response().end("drained");
                r.connection().shutdown(5, TimeUnit.SECONDS);
                return;
            }
            r.body().onSuccess(body -> {
                var response = r.response().putHeader("content-type", "application/grpc");
                response.write("echo " + r.path() + " " + body);
                response.trailers().add("grpc-status", "0").add("x-trailer", "t");
                response.end();
            });
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    static UpstreamPolicy http2() {
        return new UpstreamPolicy(UpstreamPolicy.DEFAULT_CONNECTIONS, UpstreamPolicy.UNLIMITED,
                UpstreamPolicy.UNLIMITED, UpstreamPolicy.UNLIMITED, true, 60, Duration.ofSeconds(2), null, null, true, null);
    }

    record Answer(int status, String body, HttpHeaders trailers, Throwable failure) {
    }

    static final class Listener implements UpstreamListener {
        final CompletableFuture<Answer> answer = new CompletableFuture<>();
        final StringBuilder body = new StringBuilder();
        int status;

        @Override
        public void head(HttpResponse head) {
            status = head.status().code();
        }

        @Override
        public void chunk(Buffer chunk) {
            body.append(chunk);
        }

        @Override
        public void end(Buffer last, HttpHeaders trailers) {
            if (last != null) {
                body.append(last);
            }
            answer.complete(new Answer(status, body.toString(), trailers, null));
        }

        @Override
        public void failed(Throwable cause, boolean sent) {
            answer.complete(new Answer(status, body.toString(), null, cause));
        }
    }

    static UpstreamCall call(String path, String body, Listener listener) {
        return new UpstreamCall(loop, UpstreamRequests.request(io.vertx.core.http.HttpMethod.POST, path,
                MultiMap.caseInsensitiveMultiMap().add("host", "upstream").add("te", "trailers")
                        .add("content-length", String.valueOf(body.length())), Buffer.buffer(body)), listener);
    }

    static CompletableFuture<Answer> send(HttpUpstreams upstreams, PoolRef pool, UpstreamCall call,
                                          Listener listener) {
        loop.execute(() -> upstreams.send(pool, loop, new Upstream(new HostPort("127.0.0.1", server.actualPort())),
                call));
        return listener.answer;
    }

    @Test
    void callsAreStreamsOnOneConnectionWithTheirTrailers() throws Exception {
        connections.clear();
        HttpUpstreams upstreams = new HttpUpstreams(vertx);
        PoolRef pool = new PoolRef(http2());
        List<CompletableFuture<Answer>> answers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Listener l = new Listener();
            answers.add(send(upstreams, pool, call("/svc/M" + i, "b" + i, l), l));
        }
        for (int i = 0; i < 20; i++) {
            Answer a = answers.get(i).get(5, TimeUnit.SECONDS);
            assertThat(a.failure()).isNull();
            assertThat(a.status()).isEqualTo(200);
            assertThat(a.body()).isEqualTo("echo /svc/M" + i + " b" + i);
            assertThat(a.trailers().get("grpc-status")).isEqualTo("0");
            assertThat(a.trailers().get("x-trailer")).isEqualTo("t");
        }
        assertThat(connections).hasSize(1);
    }

    @Test
    void aServerThatGoesAwaySendsLaterCallsToAFreshConnection() throws Exception {
        connections.clear();
        HttpUpstreams upstreams = new HttpUpstreams(vertx);
        PoolRef pool = new PoolRef(http2());
        Listener first = new Listener();
        assertThat(send(upstreams, pool, call("/svc/A", "a", first), first).get(5, TimeUnit.SECONDS).body())
                .isEqualTo("echo /svc/A a");
        Listener drain = new Listener();
        assertThat(send(upstreams, pool, call("/drain", "", drain), drain).get(5, TimeUnit.SECONDS).body())
                .isEqualTo("drained");
        Thread.sleep(200); // the GOAWAY arrives
        for (int i = 0; i < 5; i++) {
            Listener l = new Listener();
            Answer a = send(upstreams, pool, call("/svc/B" + i, "b", l), l).get(5, TimeUnit.SECONDS);
            assertThat(a.failure()).isNull();
            assertThat(a.body()).isEqualTo("echo /svc/B" + i + " b");
        }
        assertThat(connections).hasSize(2);
    }

    /** {@code useClientProtocol}: HTTP/2 clients' requests go upstream over HTTP/2, HTTP/1.1 clients' over HTTP/1.1. */
    @Test
    void useClientProtocolPicksThePoolByTheClientsProtocol() throws Exception {
        var parsed = io.kshift.model.codec.ResourceReader.readBody("""
                apiVersion: v1
                kind: Service
                metadata: {name: api}
                spec: {selector: {app: api}, ports: [{name: grpc, port: 80}]}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: api-1}
                spec: {address: 10.0.0.1, labels: {app: api}}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: api}
                spec: {host: api, trafficPolicy: {connectionPool: {http: {useClientProtocol: true}}}}
                """.getBytes(java.nio.charset.StandardCharsets.UTF_8), io.kshift.model.codec.BodyFormat.YAML);
        var config = io.kshift.model.mesh.MeshConfig.empty().apply(parsed.resources()).config();
        var d = new io.kshift.model.registry.DestinationResolver(config).resolve("api", null, 80, "default")
                .destination();
        var destinations = new io.kshift.proxy.routing.Destinations(new java.util.Random(1), System::nanoTime,
                io.kshift.proxy.telemetry.Telemetry.detached());
        HttpTarget target = new HttpTarget(d, 1, destinations.shared(d), HeaderEdits.NONE, HeaderEdits.NONE,
                destinations.stats(d, "http:80", "http", false), null);
        assertThat(target.pool(false).policy().http2()).as("HTTP/1.1 clients, though the port says gRPC").isFalse();
        assertThat(target.pool(true).policy().http2()).isTrue();
    }

    @Test
    void aResetCallResetsItsStreamAndTheConnectionCarriesOn() throws Exception {
        connections.clear();
        HttpUpstreams upstreams = new HttpUpstreams(vertx);
        PoolRef pool = new PoolRef(http2());
        Listener slow = new Listener();
        UpstreamCall hanging = call("/slow", "", slow);
        send(upstreams, pool, hanging, slow);
        Thread.sleep(200);
        hanging.reset();
        assertThat(slow.answer.get(5, TimeUnit.SECONDS).failure()).isSameAs(UpstreamCall.RESET);
        Listener next = new Listener();
        Answer after = send(upstreams, pool, call("/svc/After", "x", next), next).get(5, TimeUnit.SECONDS);
        assertThat(after.body()).isEqualTo("echo /svc/After x");
        assertThat(connections).hasSize(1);
    }
}
