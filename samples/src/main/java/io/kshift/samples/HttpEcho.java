package io.kshift.samples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An httpbin-like backend for the HTTP tasks, started as v1 and v2: {@code /headers}, {@code /status/{code}},
 * {@code /delay/{seconds}}, {@code /ip}, {@code /get}, and anything else answers {@code <version> <path>}. Every
 * answer carries {@code x-echo-version} and the request body's length and CRC-32 ({@code x-echo-body-bytes},
 * {@code x-echo-body-crc32}); every request is written to stdout as an access-log line with its Host
 * (and kept in memory for tests), as the Istio mirroring task reads httpbin's log. With {@code failStatus} set,
 * every request is answered with that status (a broken endpoint, for retries and outlier detection).
 * Usage: {@code HttpEcho <port> <version> [bind-address] [fail-status]}.
 */
public final class HttpEcho implements AutoCloseable {
    /** One access-log line: what the backend saw. */
    public record Seen(String method, String uri, String host, Map<String, String> headers, int status) {
    }

    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT);

    private final HttpServer server;
    private final String version;
    private final int failStatus;
    private final boolean quiet;
    /**
     * The newest requests only: a copy-on-write list copied itself on every request, so a sample backend under load
     * slowed to tens of requests a second within a minute (and its 64 MB heap filled). Tests in this JVM see up to
     * {@value #REMEMBERED_QUIET}; a backend logging to stdout (the fleet's), whose list nobody reads, keeps a few.
     */
    private final Recent seen;
    private final Recent arrived;
    static final int REMEMBERED_QUIET = 100_000;
    static final int REMEMBERED_LOGGING = 100;
    private final ExecutorService workers = Executors.newFixedThreadPool(64, r -> {
        Thread t = new Thread(r, "http-echo");
        t.setDaemon(true);
        return t;
    });

    private HttpEcho(HttpServer server, String version, int failStatus, boolean quiet) {
        this.server = server;
        this.version = version;
        this.failStatus = failStatus;
        this.quiet = quiet;
        this.seen = new Recent(quiet ? REMEMBERED_QUIET : REMEMBERED_LOGGING);
        this.arrived = new Recent(quiet ? REMEMBERED_QUIET : REMEMBERED_LOGGING);
    }

    /** The newest {@code limit} requests, in arrival order; adding is O(1) and lock-free. */
    private static final class Recent {
        private final java.util.concurrent.ConcurrentLinkedQueue<Seen> items = new java.util.concurrent.ConcurrentLinkedQueue<>();
        private final java.util.concurrent.atomic.AtomicInteger size = new java.util.concurrent.atomic.AtomicInteger();
        private final int limit;

        Recent(int limit) {
            this.limit = limit;
        }

        void add(Seen s) {
            items.add(s);
            if (size.incrementAndGet() > limit && items.poll() != null) {
                size.decrementAndGet();
            }
        }

        List<Seen> list() {
            return List.copyOf(items);
        }

        void clear() {
            items.clear();
            size.set(0);
        }
    }

    /** Starts on {@code port} (0: any free port) of {@code bind}; quiet: no access log on stdout (tests). */
    public static HttpEcho start(String bind, int port, String version, int failStatus, boolean quiet)
            throws IOException {
        // Like any real server: headers and body go out at once. The JDK server's default (Nagle on) makes a kept-alive
        // peer that delays its ACKs wait ~40 ms for every body written after its headers.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(bind), port), 512);
        HttpEcho echo = new HttpEcho(server, version, failStatus, quiet);
        server.createContext("/", echo::handle);
        server.setExecutor(echo.workers);
        server.start();
        return echo;
    }

    public static HttpEcho start(String bind, int port, String version) throws IOException {
        return start(bind, port, version, 0, true);
    }

    /** As {@link #start(String, int, String)}, speaking HTTPS with {@code tls}'s certificate (a TLS origination target). */
    public static HttpEcho startTls(String bind, int port, String version, javax.net.ssl.SSLContext tls)
            throws IOException {
        return startTls(bind, port, version, tls, false);
    }

    /** {@code needClientAuth}: clients must present a certificate the context trusts (mutual TLS). */
    public static HttpEcho startTls(String bind, int port, String version, javax.net.ssl.SSLContext tls,
                                    boolean needClientAuth) throws IOException {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        com.sun.net.httpserver.HttpsServer server = com.sun.net.httpserver.HttpsServer.create(
                new InetSocketAddress(InetAddress.getByName(bind), port), 512);
        server.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls) {
            @Override
            public void configure(com.sun.net.httpserver.HttpsParameters params) {
                javax.net.ssl.SSLParameters p = getSSLContext().getDefaultSSLParameters();
                p.setNeedClientAuth(needClientAuth);
                params.setSSLParameters(p);
            }
        });
        HttpEcho echo = new HttpEcho(server, version, 0, true);
        server.createContext("/", echo::handle);
        server.setExecutor(echo.workers);
        server.start();
        return echo;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The requests seen so far, in arrival order (the newest {@value #REMEMBERED_QUIET} of a quiet one). */
    public List<Seen> seen() {
        return seen.list();
    }

    /** Requests to {@code /delay/..} that arrived, answered or not (they are in {@link #seen} once answered). */
    public List<Seen> delayed() {
        return arrived.list();
    }

    public void clear() {
        seen.clear();
        arrived.clear();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex; InputStream in = ex.getRequestBody()) {
            // Counted as it streams by, never held: an upload costs this backend a buffer, not its size.
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            long received = 0;
            byte[] buffer = new byte[16 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                crc.update(buffer, 0, n);
                received += n;
            }
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k, String.join(",", v)));
            String path = ex.getRequestURI().getPath();
            int status = 200;
            String body;
            if (failStatus > 0) {
                status = failStatus;
                body = version + " failing with " + failStatus + "\n";
            } else if (path.equals("/headers")) {
                body = "{\"headers\": " + json(headers) + "}\n";
            } else if (path.startsWith("/status/")) {
                status = parse(path.substring("/status/".length()), 200);
                body = "";
            } else if (path.startsWith("/delay/")) {
                arrived.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().toString(), headers.get("host"),
                        java.util.Collections.unmodifiableMap(headers), 200));
                sleep(parse(path.substring("/delay/".length()), 0));
                body = "{\"delayed\": true, \"version\": \"" + version + "\"}\n";
            } else if (path.equals("/ip")) {
                body = "{\"origin\": \"" + ex.getRemoteAddress().getAddress().getHostAddress() + "\"}\n";
            } else if (path.equals("/get")) {
                body = "{\"url\": \"" + escape(ex.getRequestURI().toString()) + "\", \"headers\": " + json(headers) + "}\n";
            } else {
                body = version + " " + ex.getRequestURI() + "\n";
            }
            seen.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().toString(), headers.get("host"),
                    java.util.Collections.unmodifiableMap(headers), status));
            if (!quiet) {
                System.out.println(ex.getRemoteAddress().getAddress().getHostAddress() + " - - ["
                        + ZonedDateTime.now().format(LOG_TIME) + "] \"" + ex.getRequestMethod() + " "
                        + ex.getRequestURI() + " " + ex.getProtocol() + "\" " + status + " \"" + headers.get("host")
                        + "\" \"" + headers.getOrDefault("user-agent", "-") + "\" " + version);
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("x-echo-version", version);
            // What arrived of the request body, so a test can tell a relayed body from a cut or doubled one.
            ex.getResponseHeaders().set("x-echo-body-bytes", String.valueOf(received));
            ex.getResponseHeaders().set("x-echo-body-crc32", Long.toHexString(crc.getValue()));
            ex.getResponseHeaders().set("content-type", body.startsWith("{") ? "application/json" : "text/plain");
            boolean empty = bytes.length == 0 || status == 204 || status == 304;
            ex.sendResponseHeaders(status, empty ? -1 : bytes.length);
            if (!empty) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    private static int parse(String text, int fallback) {
        try {
            return (int) Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static void sleep(int seconds) {
        try {
            Thread.sleep(Math.min(seconds, 30) * 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String json(Map<String, String> headers) {
        List<String> fields = new ArrayList<>();
        headers.forEach((k, v) -> fields.add("\"" + escape(k) + "\": \"" + escape(v) + "\""));
        return "{" + String.join(", ", fields) + "}";
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: HttpEcho <port> <version> [bind-address] [fail-status]");
            System.exit(2);
        }
        String bind = args.length > 2 ? args[2] : "0.0.0.0";
        int fail = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        HttpEcho echo = start(bind, Integer.parseInt(args[0]), args[1], fail, false);
        System.out.println("http-echo '" + args[1] + "' listening on " + bind + ":" + echo.port());
        Thread.currentThread().join();
    }
}
