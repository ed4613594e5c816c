package io.kshift.proxy.warmup;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * The clients the load workers are too quick and too patient to be, on a thread of their own (blocking sockets keep
 * their timing plain): in turn, a TCP client reading slowly, one going away mid-stream while reading slowly, one
 * killed mid-transfer, and after each an HTTP client going away before its answer (when the warm-up makes HTTP).
 * Loopback clients that read at once and wait for every answer never took the proxy's backpressure branches or its
 * paths for a peer that vanished, and the benchmark's first seconds did (the end of its 1 s warm-up abandons every
 * stream mid-transfer): those traps sent the relay's and Netty's write path and the event loop's read path back to
 * the interpreter and C2, under load.
 */
record WarmUpAwkwardClients(WarmUpLoad load, int tcpPort, int httpPort) {
    /**
     * 8 MiB written, then read: Linux grows a socket's send buffer to 4 MiB (tcp_wmem's maximum) before a write is
     * refused, so only beyond that does the proxy write partially and its relay stop reading the backend.
     */
    private static final int CHUNKS = 128;
    private static final byte[] CHUNK = new byte[65536];
    /** Answered by the warm-up's HTTP backend only after {@link #LATE_MILLIS}: the client has gone by then. */
    static final String LATE_PATH = "/warm-up/late";
    static final long LATE_MILLIS = 20;
    /** Between rounds (one moves up to 32 MiB through the proxy and the echo). */
    private static final long PAUSE_MILLIS = 200;

    /**
     * Runs rounds until {@code load} stops, and completes then. The first round is always made, and the one under
     * way when the load stops is finished (one slow read: ~0.3 s on a warm path): the counts it adds are exact.
     */
    static CompletableFuture<Void> start(WarmUpLoad load, int tcpPort, int httpPort) {
        WarmUpAwkwardClients clients = new WarmUpAwkwardClients(load, tcpPort, httpPort);
        CompletableFuture<Void> finished = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                int round = 0;
                do {
                    clients.round(round++);
                } while (clients.pause());
            } finally {
                finished.complete(null);
            }
        }, "kshift-warm-up-awkward-clients");
        thread.setDaemon(true);
        thread.start();
        return finished;
    }

    private void round(int round) {
        try {
            switch (round % 3) {
                case 0 -> readSlowly(false);
                case 1 -> readSlowly(true);
                default -> abandonStream();
            }
            if (httpPort > 0) {
                abandonRequest();
            }
        } catch (IOException e) {
            if (load.errors.incrementAndGet() > 100) {
                load.stop = true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // pause() sees it and ends the rounds; the load workers go on
        }
    }

    /**
     * Between rounds, cut short when the load stops; false then (or if interrupted). A profile needs these branches
     * taken, not taken often: the cores are the load workers'.
     */
    private boolean pause() {
        for (long waited = 0; waited < PAUSE_MILLIS && !load.stop; waited += 10) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return !load.stop;
    }

    /**
     * 8 MiB written at once, then its echo read through a 32 KiB receive buffer with a pause after each read: the
     * proxy's writes toward the client fill its socket, its relay stops reading the backend and starts again as the
     * client drains. The echo puts a version before each piece it reads, so a few hundred bytes are left unread
     * when the socket closes, and the kernel resets it either way. {@code abandon}: closed half-way instead, while
     * the proxy still has megabytes to write toward the client and its relay is paused.
     */
    private void readSlowly(boolean abandon) throws IOException, InterruptedException {
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(32 * 1024);
            socket.setSoTimeout(10_000);
            socket.connect(new InetSocketAddress("127.0.0.1", tcpPort), 10_000);
            for (int i = 0; i < CHUNKS; i++) { // the echo waits in the proxy meanwhile: nothing is read yet
                socket.getOutputStream().write(CHUNK);
            }
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[CHUNK.length];
            long total = (long) CHUNKS * CHUNK.length;
            long received = countVersion(in);
            while (received < (abandon ? total / 2 : total)) {
                int n = in.read(buffer);
                if (n < 0) {
                    throw new IOException("closed after " + received + " bytes");
                }
                received += n;
                Thread.sleep(1);
            }
            (abandon ? load.abandonedStreams : load.slowReads).incrementAndGet();
        }
    }

    /**
     * 2 MiB written and the connection closed with all but two bytes of its echo unread (a reset), while the
     * proxy still reads both sides: a client killed mid-transfer. The proxy then closes the backend's socket in the
     * middle of an epoll batch that may still hold an event for it, which Netty's event loop takes as "no such
     * channel": a branch the benchmark's abandoned streams took cold, throwing away the event loop's compiled read
     * path.
     */
    private void abandonStream() throws IOException {
        try (Socket socket = new Socket()) {
            socket.setSoTimeout(10_000);
            socket.connect(new InetSocketAddress("127.0.0.1", tcpPort), 10_000);
            for (int i = 0; i < 32; i++) {
                socket.getOutputStream().write(CHUNK);
            }
            countVersion(socket.getInputStream());
        }
        load.abandonedStreams.incrementAndGet();
    }

    /**
     * Reads the echo's first two bytes, the version that answered, and counts it: every connection the weighted
     * picker sent somewhere is counted, so the warm-up's 80/20 stays exact.
     */
    private int countVersion(InputStream in) throws IOException {
        byte[] version = in.readNBytes(2);
        if (version.length < 2) {
            throw new IOException("closed before the echo");
        }
        load.tcp.merge(new String(version, StandardCharsets.US_ASCII), 1, Integer::sum);
        return 2;
    }

    /**
     * A request sent and its connection closed before the backend, {@link #LATE_MILLIS} later, answers. Which
     * version it was sent to is never seen: {@code abandonedRequests} says how many picks went uncounted.
     */
    private void abandonRequest() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", httpPort), 10_000);
            socket.getOutputStream().write(("GET " + LATE_PATH + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "User-Agent: kshift-warm-up/1.0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        load.abandonedRequests.incrementAndGet();
    }
}
