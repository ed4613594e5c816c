package io.kshift.proxy.warmup;

import io.vertx.core.http.HttpClient;
import io.vertx.core.net.NetClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * The clients: each worker runs one connection or request after another until told to stop (past the shared
 * minimum counts, while the JIT still compiles).
 */
final class WarmUpLoad {
    private static final Logger LOG = Logger.getLogger(WarmUp.class);
    /** An HTTPS worker's HTTP/1.1 requests close their connection one in this many: new handshakes. */
    static final int HANDSHAKE_EVERY = 16;
    final java.util.Map<String, Integer> tcp = new ConcurrentHashMap<>();
    final java.util.Map<String, Integer> http = new ConcurrentHashMap<>();
    /** Of the HTTP answers, those that came over TLS, per protocol ({@code HTTP_1_1}, {@code HTTP_2}). */
    final java.util.Map<String, Integer> https = new ConcurrentHashMap<>();
    final AtomicInteger errors = new AtomicInteger();
    /** {@link WarmUpAwkwardClients}' connections read slowly, and the streams and requests they abandoned. */
    final AtomicInteger slowReads = new AtomicInteger();
    final AtomicInteger abandonedStreams = new AtomicInteger();
    final AtomicInteger abandonedRequests = new AtomicInteger();
    final AtomicInteger sequence = new AtomicInteger();
    final AtomicInteger tcpLeft;
    final AtomicInteger httpLeft;
    volatile boolean stop;

    WarmUpLoad(int connections, int requests) {
        tcpLeft = new AtomicInteger(connections);
        httpLeft = new AtomicInteger(requests);
    }

    boolean minimumDone() {
        return tcpLeft.get() <= 0 && httpLeft.get() <= 0;
    }

    /** Short connections: one line each way, then close. */
    CompletableFuture<Void> connections(NetClient client, int port) {
        CompletableFuture<Void> finished = new CompletableFuture<>();
        nextTcp(client, port, false, finished);
        return finished;
    }

    /** Long connections moving 1 MiB each way in 64 KiB writes: the relay's backpressure path. */
    CompletableFuture<Void> bulk(NetClient client, int port) {
        CompletableFuture<Void> finished = new CompletableFuture<>();
        nextTcp(client, port, true, finished);
        return finished;
    }

    private static final io.vertx.core.buffer.Buffer CHUNK = io.vertx.core.buffer.Buffer.buffer(new byte[65536]);

    private void nextTcp(NetClient client, int port, boolean bulk, CompletableFuture<Void> finished) {
        if (!bulk) {
            tcpLeft.decrementAndGet();
        }
        if (stop) {
            finished.complete(null);
            return;
        }
        Runnable next = () -> nextTcp(client, port, bulk, finished);
        client.connect(port, "127.0.0.1").onComplete(ar -> {
            if (ar.failed()) {
                failed(next);
            } else if (bulk) {
                transfer(ar.result(), next);
            } else {
                exchangeLine(ar.result(), next);
            }
        });
    }

    /**
     * The TCP backend of version {@code version}: each line back with the version in front; a line ending in
     * {@code bye} is answered and the connection closed by the server first, as tcp-echo, SMTP or HTTP/1.0 servers
     * close theirs. The proxy then half-closes toward the client before the client's own FIN arrives, and
     * shutting down a socket's input in that state fails (ENOTCONN): a branch and an exception class the first real
     * load of that kind met cold, sending the connection's whole read path back to C2. It writes without waiting
     * for the socket to drain, on purpose: {@link WarmUpAwkwardClients} writes 8 MiB before reading any of it, which
     * a backend that paused its reading would hold forever.
     */
    static void echo(io.vertx.core.net.NetSocket socket, String version, io.vertx.core.buffer.Buffer line) {
        socket.write(io.vertx.core.buffer.Buffer.buffer(version + " ").appendBuffer(line));
        int n = line.length();
        if (n >= 4 && line.getByte(n - 1) == '\n' && line.getString(n - 4, n).equals("bye\n")) {
            socket.end();
        }
    }

    private void exchangeLine(io.vertx.core.net.NetSocket socket, Runnable next) {
        StringBuilder line = new StringBuilder();
        socket.handler(b -> {
            line.append(b.toString());
            if (line.indexOf("\n") >= 0) {
                tcp.merge(line.substring(0, line.indexOf(" ")), 1, Integer::sum);
                socket.close().onComplete(v -> next.run());
            }
        });
        socket.write(sequence.getAndIncrement() % 2 == 0 ? "warm-up\n" : "warm-up bye\n");
    }

    private void transfer(io.vertx.core.net.NetSocket socket, Runnable next) {
        long[] received = {0};
        socket.handler(b -> {
            if (received[0] == 0 && b.length() >= 2) {
                tcp.merge(b.getString(0, 2), 1, Integer::sum);
            }
            received[0] += b.length();
            if (received[0] >= 16L * CHUNK.length()) {
                socket.handler(null);
                socket.close().onComplete(v -> next.run());
            }
        });
        writeChunks(socket, 16);
    }

    private void writeChunks(io.vertx.core.net.NetSocket socket, int left) {
        for (int n = left; n > 0; n--) {
            socket.write(CHUNK);
            if (socket.writeQueueFull()) {
                int rest = n - 1;
                socket.drainHandler(v -> writeChunks(socket, rest));
                return;
            }
        }
    }

    /**
     * One worker's requests. {@code sni}: null for cleartext, else the name a TLS client asks the listener for;
     * then every {@value #HANDSHAKE_EVERY}th of its HTTP/1.1 requests closes its connection, so its next one makes
     * a new TLS handshake, as a client without keep-alive or a rolling load balancer does.
     */
    CompletableFuture<Void> requests(HttpClient client, int port, String sni) {
        CompletableFuture<Void> finished = new CompletableFuture<>();
        nextRequest(client, port, sni, 1, finished);
        return finished;
    }

    private void nextRequest(HttpClient client, int port, String sni, int own, CompletableFuture<Void> finished) {
        httpLeft.decrementAndGet();
        if (stop) {
            finished.complete(null);
            return;
        }
        boolean close = sni != null && own % HANDSHAKE_EVERY == 0;
        WarmUpTraffic.request(client, port, sni, sequence.getAndIncrement(), close).onComplete(ar -> {
                    if (ar.failed() || ar.result().status() != 200) {
                        failed(() -> nextRequest(client, port, sni, own + 1, finished));
                    } else {
                        http.merge(ar.result().backend(), 1, Integer::sum);
                        if (sni != null) {
                            https.merge(ar.result().protocol().name(), 1, Integer::sum);
                        }
                        nextRequest(client, port, sni, own + 1, finished);
                    }
                });
    }

    private void failed(Runnable next) {
        // A warm-up that cannot work (a port in use, a full table) stops early rather than spin.
        if (errors.incrementAndGet() > 100) {
            stop = true;
        }
        next.run();
    }

    /**
     * Waits for the workers to finish their last round. One still busy 10 s after the load stopped (a slow read of
     * megabytes on a box this busy) has done its work for the JIT: it is cut off as the warm-up's listeners close,
     * and the warm-up does not fail for it (the node is as warm as the load made it). Returns how many were cut off;
     * a worker that failed fails the warm-up.
     */
    static long awaitWorkers(List<CompletableFuture<Void>> workers, Duration wait) throws Exception {
        try {
            CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new))
                    .get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return 0;
        } catch (java.util.concurrent.TimeoutException e) {
            for (CompletableFuture<Void> w : workers) {
                if (w.isCompletedExceptionally()) {
                    w.join(); // its failure, which waiting for the busy one hid
                }
            }
            long busy = workers.stream().filter(w -> !w.isDone()).count();
            LOG.warnf("warm-up: %d of its clients still in their last round %.1f s after the load stopped; they are"
                    + " cut off as its listeners close (that round may show below as an error)", busy,
                    wait.toMillis() / 1000.0);
            return busy;
        }
    }
}
