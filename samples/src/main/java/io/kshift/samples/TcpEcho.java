package io.kshift.samples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Istio's tcp-echo sample: every line a client sends comes back as {@code <prefix> <line>}. Started as v1
 * ({@code one}) and v2 ({@code two}). A thread per connection (virtual-thread-free for JDK 17) is plenty for a
 * sample backend. Usage: {@code TcpEcho <port> <prefix> [bind-address]}.
 */
public final class TcpEcho implements AutoCloseable {
    private final ServerSocket server;
    private final String prefix;
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tcp-echo");
        t.setDaemon(true);
        return t;
    });

    private TcpEcho(ServerSocket server, String prefix) {
        this.server = server;
        this.prefix = prefix;
    }

    /** Starts serving on {@code port} (0 = any free port) of {@code bind}. */
    public static TcpEcho start(String bind, int port, String prefix) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getByName(bind), port), 512);
        TcpEcho echo = new TcpEcho(server, prefix);
        echo.workers.execute(echo::acceptLoop);
        return echo;
    }

    /**
     * As {@link #start}, speaking TLS with {@code tls}'s certificate (a backend behind a TLS passthrough route, or
     * one the proxy originates TLS to).
     */
    public static TcpEcho startTls(String bind, int port, String prefix, javax.net.ssl.SSLContext tls)
            throws IOException {
        return startTls(bind, port, prefix, tls, false);
    }

    /** {@code needClientAuth}: clients must present a certificate the context trusts (mutual TLS). */
    public static TcpEcho startTls(String bind, int port, String prefix, javax.net.ssl.SSLContext tls,
                                   boolean needClientAuth) throws IOException {
        ServerSocket server = tls.getServerSocketFactory().createServerSocket();
        ((javax.net.ssl.SSLServerSocket) server).setNeedClientAuth(needClientAuth);
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getByName(bind), port), 512);
        TcpEcho echo = new TcpEcho(server, prefix);
        echo.workers.execute(echo::acceptLoop);
        return echo;
    }

    public int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                workers.execute(() -> serve(socket));
            } catch (IOException e) {
                if (!server.isClosed()) {
                    System.err.println("tcp-echo: accept failed: " + e.getMessage());
                }
            }
        }
    }

    private void serve(Socket socket) {
        try (socket;
             BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
             OutputStream out = socket.getOutputStream()) {
            String line;
            while ((line = in.readLine()) != null) {
                out.write((prefix + " " + line + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            // The client went away mid-line; nothing to answer.
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        workers.shutdownNow();
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: TcpEcho <port> <prefix> [bind-address]");
            System.exit(2);
        }
        String bind = args.length > 2 ? args[2] : "0.0.0.0";
        TcpEcho echo = start(bind, Integer.parseInt(args[0]), args[1]);
        System.out.println("tcp-echo '" + args[1] + "' listening on " + bind + ":" + echo.port());
        Thread.currentThread().join();
    }
}
