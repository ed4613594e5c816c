package io.kshift.local.proxybench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The four load shapes of the proxy benchmark, each driven by a few threads with one selector apiece (no thread per
 * connection, so the client costs every target alike): {@code conn} (new connection, one line, close), {@code rr}
 * (long connections, one 64-byte line back and forth), {@code stream} (64 KiB writes as fast as the path takes
 * them), {@code http} (keep-alive GETs, one in flight per connection). Answers are counted by first word
 * ({@code one}/{@code two}) for the split.
 */
final class Load {
    /** What one run measured. */
    record Result(String scenario, long ops, double seconds, Latency latency, long one, long two, long other,
                  long errors, long bytes) {
        double rate() {
            return scenario.equals("stream") ? bytes / 1e6 / seconds : ops / seconds;
        }
    }

    private static final byte[] HELLO = "hello\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LINE = ("x".repeat(63) + "\n").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GET = "GET / HTTP/1.1\r\nHost: bench\r\nUser-Agent: kshift-bench\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    private Load() {
    }

    static Result conn(int port, int total, int concurrency, int threads) throws Exception {
        AtomicInteger left = new AtomicInteger(total);
        return run("conn", port, concurrency, threads, Long.MAX_VALUE, Shape.CONN, left);
    }

    static Result rr(int port, int concurrency, double seconds) throws Exception {
        return run("rr", port, concurrency, 1, deadline(seconds), Shape.RR, null);
    }

    static Result stream(int port, int concurrency, double seconds) throws Exception {
        return run("stream", port, concurrency, 1, deadline(seconds), Shape.STREAM, null);
    }

    static Result http(int port, int concurrency, double seconds) throws Exception {
        return run("http", port, concurrency, 1, deadline(seconds), Shape.HTTP, null);
    }

    private static long deadline(double seconds) {
        return System.nanoTime() + (long) (seconds * 1e9);
    }

    private enum Shape { CONN, RR, STREAM, HTTP }

    private static Result run(String name, int port, int concurrency, int threads, long deadline, Shape shape,
                              AtomicInteger left) throws Exception {
        List<Driver> drivers = new ArrayList<>();
        List<Thread> running = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int slots = concurrency / threads + (t < concurrency % threads ? 1 : 0);
            Driver d = new Driver(port, slots, shape, deadline, left);
            drivers.add(d);
            Thread th = new Thread(d, "bench-load-" + t);
            th.setDaemon(true);
            th.start();
            running.add(th);
        }
        for (Thread th : running) {
            th.join(120_000);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Latency all = new Latency();
        long ops = 0, one = 0, two = 0, other = 0, errors = 0, bytes = 0;
        for (Driver d : drivers) {
            all.add(d.latency);
            ops += d.ops;
            one += d.one;
            two += d.two;
            other += d.other;
            errors += d.errors;
            bytes += d.bytes;
        }
        if (shape == Shape.STREAM) {
            ops = bytes;
        }
        return new Result(name, ops, seconds, all, one, two, other, errors, bytes);
    }

    /** One load thread: its selector and its connections, each a small state machine. */
    private static final class Driver implements Runnable {
        final InetSocketAddress address;
        final int slots;
        final Shape shape;
        final long deadline;
        final AtomicInteger left;
        final Latency latency = new Latency();
        long ops, one, two, other, errors, bytes;
        final ByteBuffer in = ByteBuffer.allocateDirect(65536);
        final ByteBuffer chunk = ByteBuffer.allocateDirect(65536);
        int open;

        Driver(int port, int slots, Shape shape, long deadline, AtomicInteger left) {
            this.address = new InetSocketAddress("127.0.0.1", port);
            this.slots = slots;
            this.shape = shape;
            this.deadline = deadline;
            this.left = left;
        }

        /** A connection: when its current operation started, what it has read of the answer. */
        final class Conn {
            final SocketChannel ch;
            long startedAt = System.nanoTime();
            final StringBuilder answer = new StringBuilder();
            boolean counted;
            ByteBuffer pending;

            Conn(SocketChannel ch) {
                this.ch = ch;
            }
        }

        @Override
        public void run() {
            try (Selector selector = Selector.open()) {
                for (int i = 0; i < slots; i++) {
                    if (!openNext(selector)) {
                        break;
                    }
                }
                while (open > 0) {
                    selector.select(100);
                    for (SelectionKey key : selector.selectedKeys()) {
                        handle(selector, key);
                    }
                    selector.selectedKeys().clear();
                    if (shape != Shape.CONN && System.nanoTime() > deadline) {
                        for (SelectionKey k : selector.keys()) {
                            k.channel().close();
                        }
                        break;
                    }
                }
            } catch (IOException e) {
                errors++;
            }
        }

        private boolean openNext(Selector selector) {
            if (shape == Shape.CONN && left.getAndDecrement() <= 0) {
                return false;
            }
            SocketChannel ch = null;
            try {
                ch = SocketChannel.open();
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                Conn c = new Conn(ch);
                if (ch.connect(address)) {
                    open++;
                    connected(ch.register(selector, 0, c), c);
                } else {
                    ch.register(selector, SelectionKey.OP_CONNECT, c);
                    open++;
                }
                return true;
            } catch (IOException e) {
                // Counted, closed, and not waited for: a failed connect must not keep the driver spinning.
                errors++;
                if (ch != null) {
                    try {
                        ch.close();
                    } catch (IOException ignored) {
                        // Nothing more to release.
                    }
                }
                return shape == Shape.CONN;
            }
        }

        private void handle(Selector selector, SelectionKey key) {
            Conn c = (Conn) key.attachment();
            try {
                if (key.isConnectable()) {
                    c.ch.finishConnect();
                    connected(key, c);
                    return;
                }
                if (key.isWritable()) {
                    write(key, c);
                }
                if (key.isReadable()) {
                    read(selector, key, c);
                }
            } catch (IOException | java.nio.channels.CancelledKeyException e) {
                errors++;
                close(selector, key, true);
            }
        }

        private void connected(SelectionKey key, Conn c) throws IOException {
            switch (shape) {
                case CONN -> send(key, c, HELLO);
                case RR -> send(key, c, LINE);
                case HTTP -> send(key, c, GET);
                case STREAM -> {
                    key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                    c.counted = true;
                }
            }
        }

        private void send(SelectionKey key, Conn c, byte[] what) throws IOException {
            c.startedAt = shape == Shape.CONN ? c.startedAt : System.nanoTime();
            c.pending = ByteBuffer.wrap(what);
            c.answer.setLength(0);
            write(key, c);
        }

        private void write(SelectionKey key, Conn c) throws IOException {
            if (shape == Shape.STREAM) {
                chunk.clear();
                c.ch.write(chunk);
                key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                return;
            }
            c.ch.write(c.pending);
            key.interestOps(c.pending.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }

        private void read(Selector selector, SelectionKey key, Conn c) throws IOException {
            in.clear();
            int n = c.ch.read(in);
            if (n < 0) {
                errors++;
                close(selector, key, true);
                return;
            }
            if (shape == Shape.STREAM) {
                if (System.nanoTime() < deadline) {
                    bytes += n;
                }
                return;
            }
            in.flip();
            while (in.hasRemaining()) {
                c.answer.append((char) in.get());
            }
            if (!complete(c.answer)) {
                return;
            }
            latency.record((System.nanoTime() - c.startedAt) / 1000);
            ops++;
            if (!c.counted || shape != Shape.RR) {
                split(shape == Shape.HTTP ? body(c.answer) : c.answer);
                c.counted = true;
            }
            switch (shape) {
                case CONN -> {
                    close(selector, key, false);
                }
                case RR -> send(key, c, LINE);
                case HTTP -> send(key, c, GET);
                default -> { }
            }
        }

        private boolean complete(StringBuilder answer) {
            if (shape != Shape.HTTP) {
                return answer.length() > 0 && answer.charAt(answer.length() - 1) == '\n';
            }
            int headEnd = answer.indexOf("\r\n\r\n");
            if (headEnd < 0) {
                return false;
            }
            String head = answer.substring(0, headEnd).toLowerCase(java.util.Locale.ROOT);
            int at = head.indexOf("content-length:");
            if (at >= 0) {
                int eol = head.indexOf("\r\n", at);
                int length = Integer.parseInt(head.substring(at + 15, eol < 0 ? head.length() : eol).trim());
                return answer.length() >= headEnd + 4 + length;
            }
            // Chunked: the last chunk ends the answer.
            return answer.indexOf("\r\n0\r\n\r\n", headEnd) >= 0;
        }

        private static CharSequence body(StringBuilder answer) {
            int headEnd = answer.indexOf("\r\n\r\n");
            String head = answer.substring(0, headEnd).toLowerCase(java.util.Locale.ROOT);
            String rest = answer.substring(headEnd + 4);
            if (head.contains("transfer-encoding: chunked")) {
                int eol = rest.indexOf("\r\n");
                return eol < 0 ? rest : rest.substring(eol + 2);
            }
            return rest;
        }

        private void split(CharSequence answer) {
            String s = answer.toString();
            if (s.startsWith("one")) {
                one++;
            } else if (s.startsWith("two")) {
                two++;
            } else {
                other++;
            }
        }

        private void close(Selector selector, SelectionKey key, boolean failed) {
            key.cancel();
            try {
                key.channel().close();
            } catch (IOException ignored) {
                // Already closed by the peer.
            }
            open--;
            if (shape == Shape.CONN) {
                openNext(selector);
            } else if (failed && System.nanoTime() < deadline) {
                openNext(selector);
            }
        }
    }
}
