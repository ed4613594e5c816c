package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.registry.HostPort;
import io.kshift.proxy.routing.Upstream;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP/1.1 upstream client against a scripted upstream on a real socket: what it reuses, what it skips, where
 * a body ends, and how the pool's limits hold across event loops.
 */
class HttpUpstreamsTest {
    static Vertx vertx;
    static EventLoop loopA;
    static EventLoop loopB;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        var group = ((VertxInternal) vertx).nettyEventLoopGroup();
        loopA = group.next();
        loopB = group.next();
        assertThat(loopA).isNotSameAs(loopB);
    }

    @AfterAll
    static void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void keepAliveReusesOneConnectionAndSkipsInterimAnswers() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        int port = upstream((socket, request) -> {
            if (request.startsWith("HEAD")) {
                // A HEAD answer's Content-Length describes a body that is not sent.
                socket.write("HTTP/1.1 200 OK\r\ncontent-length: 42\r\n\r\n");
            } else {
                socket.write("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello");
            }
        }, connections);
        HttpUpstreams upstreams = new HttpUpstreams(vertx);
        PoolRef pool = new PoolRef(policy(UpstreamPolicy.DEFAULT_CONNECTIONS, UpstreamPolicy.UNLIMITED));
        for (int i = 0; i < 5; i++) {
            Outcome get = send(upstreams, pool, loopA, port, HttpMethod.GET);
            assertThat(get.status()).isEqualTo(200);
            assertThat(get.body()).isEqualTo("hello");
            Outcome head = send(upstreams, pool, loopA, port, HttpMethod.HEAD);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.body()).isEmpty();
        }
        assertThat(connections).hasValue(1);
    }

    @Test
    void aBodyToTheCloseEndsThereAndTheNextRequestOpensAFreshConnection() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        int port = upstream((socket, request) -> {
            socket.write("HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nall of it");
            vertx.setTimer(50, t -> socket.close());
        }, connections);
        HttpUpstreams upstreams = new HttpUpstreams(vertx);
        PoolRef pool = new PoolRef(policy(UpstreamPolicy.DEFAULT_CONNECTIONS, UpstreamPolicy.UNLIMITED));
        for (int i = 0; i < 3; i++) {
            Outcome out = send(upstreams, pool, loopA, port, HttpMethod.GET);
            assertThat(out.body()).isEqualTo("all of it");
            assertThat(out.failure()).isNull();
        }
        assertThat(connections).hasValue(3);
    }

    @Test
    void aConnectionLimitHoldsNodeWideAndTheQueueOverflows() throws Exception {
        List<NetSocket> held = new CopyOnWriteArrayList<>();
        AtomicInteger connections = new AtomicInteger();
        // Answers only when told: requests stay in flight.
        int port = upstream((socket, request) -> held.add(socket), connections);
        HttpUpstreams upstreams = new HttpUpstreams(vertx);
        PoolRef pool = new PoolRef(policy(1, 1));
        CompletableFuture<Outcome> first = sendAsync(upstreams, pool, loopA, port);
        waitFor(() -> held.size() == 1);
        CompletableFuture<Outcome> queued = sendAsync(upstreams, pool, loopB, port); // another loop, same limits
        // From the same loop, so it reaches the pool's loop after the queued one.
        CompletableFuture<Outcome> over = sendAsync(upstreams, pool, loopB, port);
        assertThat(over.get(5, TimeUnit.SECONDS).failure()).isSameAs(EndpointPool.OVERFLOW);
        assertThat(queued).isNotDone();
        held.get(0).write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
        assertThat(first.get(5, TimeUnit.SECONDS).body()).isEqualTo("ok");
        waitFor(() -> held.size() == 2); // the queued request went out on the freed connection
        held.get(1).write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
        assertThat(queued.get(5, TimeUnit.SECONDS).body()).isEqualTo("ok");
        assertThat(connections).hasValue(1);
    }

    @Test
    void aResetWhileWaitingLeavesTheQueueAndAResetInFlightDropsTheConnection() throws Exception {
        List<NetSocket> held = new CopyOnWriteArrayList<>();
        AtomicInteger connections = new AtomicInteger();
        int port = upstream((socket, request) -> held.add(socket), connections);
        HttpUpstreams upstreams = new HttpUpstreams(vertx);
        PoolRef pool = new PoolRef(policy(1, 1));
        Recorder inFlight = new Recorder();
        UpstreamCall first = call(loopA, HttpMethod.GET, inFlight);
        loopA.execute(() -> upstreams.send(pool, loopA, new Upstream(new HostPort("127.0.0.1", port)), first));
        waitFor(() -> held.size() == 1);
        Recorder waiting = new Recorder();
        UpstreamCall second = call(loopA, HttpMethod.GET, waiting);
        loopA.execute(() -> upstreams.send(pool, loopA, new Upstream(new HostPort("127.0.0.1", port)), second));
        loopA.execute(second::reset);
        Outcome gaveUp = waiting.outcome.get(5, TimeUnit.SECONDS);
        assertThat(gaveUp.failure()).isSameAs(UpstreamCall.RESET);
        assertThat(gaveUp.sent()).isFalse();
        // The queue has room again: one more may wait.
        CompletableFuture<Outcome> third = sendAsync(upstreams, pool, loopA, port);
        loopA.execute(first::reset);
        assertThat(inFlight.outcome.get(5, TimeUnit.SECONDS).sent()).isTrue();
        waitFor(() -> held.size() == 2); // a new connection: the reset one was closed, not reused
        held.get(1).write("HTTP/1.1 204 No Content\r\n\r\n");
        assertThat(third.get(5, TimeUnit.SECONDS).status()).isEqualTo(204);
        assertThat(connections).hasValue(2);
    }

    @Test
    void oneRequestPerConnectionSaysSoUpstreamAndLeavesTheCallersHeadersAlone() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        List<String> heads = new CopyOnWriteArrayList<>();
        int port = upstream((socket, request) -> {
            heads.add(request.toLowerCase(java.util.Locale.ROOT));
            socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
        }, connections);
        HttpUpstreams upstreams = new HttpUpstreams(vertx);
        PoolRef pool = new PoolRef(policy(UpstreamPolicy.DEFAULT_CONNECTIONS, UpstreamPolicy.UNLIMITED, false));
        MultiMap shared = MultiMap.caseInsensitiveMultiMap().add("host", "upstream");
        for (int i = 0; i < 3; i++) {
            Recorder recorder = new Recorder();
            UpstreamCall call = new UpstreamCall(loopA, UpstreamRequests.request(io.vertx.core.http.HttpMethod.GET, "/",
                    shared, Buffer.buffer()), recorder);
            loopA.execute(() -> upstreams.send(pool, loopA, new Upstream(new HostPort("127.0.0.1", port)), call));
            assertThat(recorder.outcome.get(5, TimeUnit.SECONDS).body()).isEqualTo("ok");
        }
        assertThat(connections).hasValue(3);
        assertThat(heads).allMatch(h -> h.contains("connection: close"));
        assertThat(shared.contains("connection")).as("mirrors and later tries share these headers").isFalse();
    }

    @Test
    void nothingListeningFailsBeforeSending() throws Exception {
        int closedPort;
        try (var s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Outcome out = sendAsync(new HttpUpstreams(vertx),
                new PoolRef(policy(UpstreamPolicy.DEFAULT_CONNECTIONS, UpstreamPolicy.UNLIMITED)), loopA, closedPort)
                .get(5, TimeUnit.SECONDS);
        assertThat(out.failure()).isNotNull();
        assertThat(out.sent()).isFalse();
    }

    // ---- fixture ----

    record Outcome(int status, String body, Throwable failure, boolean sent) {
    }

    /** maxConnectionDuration: a connection that old takes no more requests and closes (Envoy drains it). */
    @Test
    void aConnectionPastItsMaxDurationIsNotReused() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        AtomicInteger closed = new AtomicInteger();
        int port = upstream((socket, request) -> socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"),
                connections, closed);
        HttpUpstreams upstreams = new HttpUpstreams(vertx);
        PoolRef pool = new PoolRef(new UpstreamPolicy(UpstreamPolicy.DEFAULT_CONNECTIONS, UpstreamPolicy.UNLIMITED,
                UpstreamPolicy.UNLIMITED, UpstreamPolicy.UNLIMITED, true, 60, Duration.ofSeconds(2), null, null, false,
                null, 300));
        assertThat(send(upstreams, pool, loopA, port, HttpMethod.GET).body()).isEqualTo("ok");
        assertThat(send(upstreams, pool, loopA, port, HttpMethod.GET).body()).isEqualTo("ok");
        assertThat(connections).as("young: reused").hasValue(1);
        Thread.sleep(400);
        assertThat(send(upstreams, pool, loopA, port, HttpMethod.GET).body()).isEqualTo("ok");
        assertThat(connections).as("past 300 ms: a fresh one").hasValue(2);
        waitFor(() -> closed.get() == 1);
    }

    @Test
    void aRetiredPolicyClosesItsIdleConnectionsAtOnceAndABusyOneWhenItsCallEnds() throws Exception {
        List<NetSocket> held = new CopyOnWriteArrayList<>();
        AtomicInteger connections = new AtomicInteger();
        AtomicInteger closed = new AtomicInteger();
        int port = upstream((socket, request) -> {
            if (request.startsWith("GET /hold")) {
                held.add(socket);
            } else {
                socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
            }
        }, connections, closed);
        HttpUpstreams upstreams = new HttpUpstreams(vertx);
        UpstreamPolicy kept = policy(UpstreamPolicy.DEFAULT_CONNECTIONS, UpstreamPolicy.UNLIMITED);
        UpstreamPolicy old = policy(UpstreamPolicy.DEFAULT_CONNECTIONS, UpstreamPolicy.UNLIMITED, true, 61);
        PoolRef keptPool = new PoolRef(kept);
        PoolRef oldPool = new PoolRef(old);
        assertThat(send(upstreams, keptPool, loopA, port, HttpMethod.GET).body()).isEqualTo("ok");
        CompletableFuture<Outcome> busy = sendAsync(upstreams, oldPool, loopA, port, "/hold");
        waitFor(() -> held.size() == 1);
        assertThat(send(upstreams, oldPool, loopA, port, HttpMethod.GET).body()).isEqualTo("ok"); // a second connection
        assertThat(connections).hasValue(3);
        assertThat(upstreams.policies()).isEqualTo(2);

        upstreams.retain(java.util.Set.of(policy(UpstreamPolicy.DEFAULT_CONNECTIONS, UpstreamPolicy.UNLIMITED)));
        assertThat(upstreams.policies()).isEqualTo(1);
        waitFor(() -> closed.get() == 1); // the old policy's idle connection
        held.get(0).write("HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nheld");
        assertThat(busy.get(5, TimeUnit.SECONDS).body()).isEqualTo("held"); // the busy one finished its call
        waitFor(() -> closed.get() == 2); // and closed after it
        // An exchange of an older table still holding the retired pool is served, on a connection that does not stay.
        assertThat(send(upstreams, oldPool, loopB, port, HttpMethod.GET).body()).isEqualTo("ok");
        waitFor(() -> closed.get() == 3);
        // The kept policy's connection is still the one it had.
        assertThat(send(upstreams, keptPool, loopA, port, HttpMethod.GET).body()).isEqualTo("ok");
        assertThat(connections).hasValue(4);
        assertThat(closed).hasValue(3);
    }

    static final class Recorder implements UpstreamListener {
        final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        int status;
        final StringBuilder body = new StringBuilder();

        @Override
        public void head(HttpResponse head) {
            status = head.status().code();
        }

        @Override
        public void chunk(Buffer chunk) {
            body.append(chunk.toString());
        }

        @Override
        public void end(Buffer last, io.netty.handler.codec.http.HttpHeaders trailers) {
            if (last != null) {
                body.append(last.toString());
            }
            outcome.complete(new Outcome(status, body.toString(), null, false));
        }

        @Override
        public void failed(Throwable cause, boolean sent) {
            outcome.complete(new Outcome(status, body.toString(), cause, sent));
        }
    }

    static UpstreamPolicy policy(int maxConnections, int maxPending) {
        return policy(maxConnections, maxPending, true);
    }

    static UpstreamPolicy policy(int maxConnections, int maxPending, boolean keepAlive) {
        return policy(maxConnections, maxPending, keepAlive, 60);
    }

    static UpstreamPolicy policy(int maxConnections, int maxPending, boolean keepAlive, int idleSeconds) {
        return new UpstreamPolicy(maxConnections, maxPending, UpstreamPolicy.UNLIMITED, UpstreamPolicy.UNLIMITED,
                keepAlive, idleSeconds, Duration.ofSeconds(2), null, null, false, null);
    }

    static UpstreamCall call(EventLoop loop, HttpMethod method, UpstreamListener listener) {
        return call(loop, method, "/", listener);
    }

    static UpstreamCall call(EventLoop loop, HttpMethod method, String path, UpstreamListener listener) {
        return new UpstreamCall(loop, UpstreamRequests.request(io.vertx.core.http.HttpMethod.valueOf(method.name()), path,
                MultiMap.caseInsensitiveMultiMap().add("host", "upstream"), Buffer.buffer()), listener);
    }

    static CompletableFuture<Outcome> sendAsync(HttpUpstreams upstreams, PoolRef pool, EventLoop loop, int port) {
        return sendAsync(upstreams, pool, loop, port, HttpMethod.GET);
    }

    static CompletableFuture<Outcome> sendAsync(HttpUpstreams upstreams, PoolRef pool, EventLoop loop, int port,
                                                HttpMethod method) {
        return sendAsync(upstreams, pool, loop, port, method, "/");
    }

    static CompletableFuture<Outcome> sendAsync(HttpUpstreams upstreams, PoolRef pool, EventLoop loop, int port,
                                                String path) {
        return sendAsync(upstreams, pool, loop, port, HttpMethod.GET, path);
    }

    static CompletableFuture<Outcome> sendAsync(HttpUpstreams upstreams, PoolRef pool, EventLoop loop, int port,
                                                HttpMethod method, String path) {
        Recorder recorder = new Recorder();
        UpstreamCall call = call(loop, method, path, recorder);
        loop.execute(() -> upstreams.send(pool, loop, new Upstream(new HostPort("127.0.0.1", port)), call));
        return recorder.outcome;
    }

    static Outcome send(HttpUpstreams upstreams, PoolRef pool, EventLoop loop, int port, HttpMethod method)
            throws Exception {
        return sendAsync(upstreams, pool, loop, port, method).get(5, TimeUnit.SECONDS);
    }

    /** A raw upstream: each complete request head (a blank line) is handed to {@code answer} with its socket. */
    static int upstream(BiConsumer<NetSocket, String> answer, AtomicInteger connections) throws Exception {
        return upstream(answer, connections, new AtomicInteger());
    }

    static int upstream(BiConsumer<NetSocket, String> answer, AtomicInteger connections, AtomicInteger closed)
            throws Exception {
        NetServer server = vertx.createNetServer().connectHandler(socket -> {
            connections.incrementAndGet();
            socket.closeHandler(v -> closed.incrementAndGet());
            StringBuilder pending = new StringBuilder();
            socket.handler(b -> {
                pending.append(b.toString());
                int end;
                while ((end = pending.indexOf("\r\n\r\n")) >= 0) {
                    String head = pending.substring(0, end);
                    pending.delete(0, end + 4);
                    answer.accept(socket, head);
                }
            });
        });
        return server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS)
                .actualPort();
    }

    static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 5 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
