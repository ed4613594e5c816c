package io.kshift.local.proxybench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * A benchmark backend on one thread and one epoll selector, so the backends cost every target the same and little:
 * {@code LINE} answers each line with {@code PREFIX line} (tcp-echo's protocol, streamed so lines of any length
 * work), {@code RAW} echoes bytes, {@code HTTP} answers every keep-alive request with a fixed body
 * ({@code PREFIX hello}). While a client does not read, the backend stops reading it (bounded memory). A client's
 * FIN ends the connection once everything owed to it is written.
 */
final class EchoBackend implements AutoCloseable {
    enum Mode { LINE, RAW, HTTP }

    private final Mode mode;
    private final byte[] prefix;
    private final byte[] httpAnswer;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final Thread thread;
    private volatile boolean running = true;

    EchoBackend(Mode mode, String prefix) throws IOException {
        this.mode = mode;
        this.prefix = (prefix + " ").getBytes(StandardCharsets.US_ASCII);
        String body = prefix + " hello\n";
        this.httpAnswer = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length()
                + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
        this.selector = Selector.open();
        this.server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress("127.0.0.1", 0), 4096);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        this.thread = new Thread(this::loop, "bench-backend-" + mode.name().toLowerCase() + "-" + port());
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return server.socket().getLocalPort();
    }

    /** One client connection: what it owes the client, where a line or request stands. */
    private final class Conn {
        final SocketChannel channel;
        final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
        boolean atLineStart = true;
        boolean inputDone;
        int httpMatched;

        Conn(SocketChannel channel) {
            this.channel = channel;
        }
    }

    private void loop() {
        ByteBuffer in = ByteBuffer.allocateDirect(65536);
        try {
            while (running) {
                selector.select(200);
                for (SelectionKey key : selector.selectedKeys()) {
                    try {
                        if (!key.isValid()) {
                            continue;
                        }
                        if (key.isAcceptable()) {
                            accept();
                            continue;
                        }
                        Conn c = (Conn) key.attachment();
                        if (key.isWritable()) {
                            flush(key, c);
                        }
                        if (key.isValid() && key.isReadable()) {
                            read(key, c, in);
                        }
                    } catch (IOException e) {
                        close(key);
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | RuntimeException e) {
            if (running) {
                System.err.println("bench backend stopped: " + e);
            }
        }
    }

    private void accept() throws IOException {
        SocketChannel ch;
        while ((ch = server.accept()) != null) {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.register(selector, SelectionKey.OP_READ, new Conn(ch));
        }
    }

    private void read(SelectionKey key, Conn c, ByteBuffer in) throws IOException {
        in.clear();
        int n = c.channel.read(in);
        if (n < 0) {
            c.inputDone = true;
            key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
            if (c.out.isEmpty()) {
                close(key);
            }
            return;
        }
        in.flip();
        switch (mode) {
            case RAW -> c.out.add(copy(in, in.remaining()));
            case LINE -> lines(c, in);
            case HTTP -> requests(c, in);
        }
        flush(key, c);
    }

    private void lines(Conn c, ByteBuffer in) {
        int lines = 1;
        for (int i = in.position(); i < in.limit(); i++) {
            lines += in.get(i) == '\n' ? 1 : 0;
        }
        ByteBuffer out = ByteBuffer.allocate(in.remaining() + prefix.length * lines);
        while (in.hasRemaining()) {
            if (c.atLineStart) {
                out.put(prefix);
                c.atLineStart = false;
            }
            byte b = in.get();
            out.put(b);
            if (b == '\n') {
                c.atLineStart = true;
            }
        }
        out.flip();
        c.out.add(out);
    }

    /** Counts request ends ({@code \r\n\r\n}); the benchmark's requests carry no body. */
    private void requests(Conn c, ByteBuffer in) {
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (in.hasRemaining()) {
            byte b = in.get();
            c.httpMatched = b == end[c.httpMatched] ? c.httpMatched + 1 : (b == '\r' ? 1 : 0);
            if (c.httpMatched == 4) {
                c.httpMatched = 0;
                c.out.add(ByteBuffer.wrap(httpAnswer));
            }
        }
    }

    private void flush(SelectionKey key, Conn c) throws IOException {
        while (!c.out.isEmpty()) {
            ByteBuffer head = c.out.peek();
            c.channel.write(head);
            if (head.hasRemaining()) {
                // The client is not reading: stop reading it until it has taken what it is owed.
                key.interestOps(SelectionKey.OP_WRITE);
                return;
            }
            c.out.poll();
        }
        if (c.inputDone) {
            close(key);
        } else {
            key.interestOps(SelectionKey.OP_READ);
        }
    }

    private static ByteBuffer copy(ByteBuffer in, int n) {
        ByteBuffer b = ByteBuffer.allocate(n);
        b.put(in);
        b.flip();
        return b;
    }

    private static void close(SelectionKey key) {
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException ignored) {
            // Closing a connection that is already gone.
        }
    }

    @Override
    public void close() throws IOException {
        running = false;
        selector.wakeup();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (SelectionKey k : selector.keys()) {
            close(k);
        }
        selector.close();
        server.close();
    }
}
