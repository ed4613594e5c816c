package io.kshift.local;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A data-plane probe running while the benchmark changes config: every {@code intervalMillis} it makes one call
 * through a gateway and records how long it took, or that it failed. {@link #tcp}: a new connection, one line
 * and its echo (what a new client pays); {@link #http}: one request on a kept-alive connection.
 * Bounded: it stops when told or after its deadline. Benchmarks run probes in a JVM of their own
 * ({@link ProbeProcess}), so that their own garbage collections do not count as the data plane's latency.
 */
final class Probe implements AutoCloseable {
    private interface Call {
        void run() throws IOException;
    }

    private final String name;
    private final List<Long> micros = new ArrayList<>();
    /** The same calls by the benchmark's phase (loading, changes, ...), in the order the phases began. */
    private final Map<String, List<Long>> phases = new LinkedHashMap<>();
    private List<Long> phase;
    private int failures;
    private String lastFailure;
    private volatile boolean running = true;
    private final CountDownLatch firstCall = new CountDownLatch(1);
    private final Thread thread;

    private Probe(String name, long intervalMillis, long maxMillis, Call call) {
        this.name = name;
        long deadline = System.nanoTime() + maxMillis * 1_000_000;
        this.thread = new Thread(() -> {
            while (running && System.nanoTime() < deadline) {
                long start = System.nanoTime();
                try {
                    call.run();
                    record((System.nanoTime() - start) / 1000);
                } catch (IOException | RuntimeException e) {
                    fail(e);
                }
                firstCall.countDown();
                Fleet.sleep(intervalMillis);
            }
        }, "probe-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** New TCP connections to a tcp-echo gateway port. */
    static Probe tcp(String host, int port, long intervalMillis, long maxMillis) {
        return new Probe("tcp:" + port, intervalMillis, maxMillis, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 2000);
                s.setSoTimeout(2000);
                s.getOutputStream().write("probe\n".getBytes(StandardCharsets.US_ASCII));
                readLine(new BufferedInputStream(s.getInputStream(), 512));
            }
        });
    }

    /** HTTP/1.1 GETs on one kept-alive connection to an HTTP gateway port (reconnecting if it closes). */
    static Probe http(String host, int port, String path, long intervalMillis, long maxMillis) {
        Socket[] socket = new Socket[1];
        InputStream[] in = new InputStream[1];
        return new Probe("http:" + port, intervalMillis, maxMillis, () -> {
            if (socket[0] == null || socket[0].isClosed()) {
                socket[0] = new Socket();
                socket[0].connect(new InetSocketAddress(host, port), 2000);
                socket[0].setSoTimeout(2000);
                socket[0].setTcpNoDelay(true);
                // Buffered, or every byte of the answer is a system call of the probe's, timed as the data plane's.
                in[0] = new BufferedInputStream(socket[0].getInputStream(), 4096);
            }
            try {
                OutputStream out = socket[0].getOutputStream();
                out.write(("GET " + path + " HTTP/1.1\r\nHost: probe\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                readResponse(in[0]);
            } catch (IOException e) {
                socket[0].close();
                throw e;
            }
        });
    }

    private synchronized void record(long us) {
        micros.add(us);
        if (phase != null) {
            phase.add(us);
        }
    }

    /** Calls from now on count towards {@code name} as well (a phase named again goes on where it was). */
    synchronized void phase(String name) {
        phase = phases.computeIfAbsent(name, k -> new ArrayList<>());
    }

    /** Per phase: {@code n=120 p99 1.20 ms}, or {@code n=0}. */
    synchronized Map<String, String> phaseFigures() {
        Map<String, String> out = new LinkedHashMap<>();
        phases.forEach((k, v) -> {
            List<Long> sorted = v.stream().sorted().toList();
            out.put(k, sorted.isEmpty() ? "n=0"
                    : String.format("n=%d p99 %.2f ms", sorted.size(), at(sorted, 0.99) / 1000.0));
        });
        return out;
    }

    private synchronized void fail(Exception e) {
        failures++;
        lastFailure = e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /** {@code tcp:31400  n=612  p50 0.41 ms  p99 1.20 ms  max 3.10 ms  failures 0}. */
    synchronized String summary() {
        List<Long> sorted = micros.stream().sorted().toList();
        if (sorted.isEmpty()) {
            return String.format("%-10s no successful call; failures %d (%s)", name, failures, lastFailure);
        }
        return String.format("%-10s n=%-5d p50 %.2f ms  p99 %.2f ms  max %.2f ms  failures %d%s", name,
                sorted.size(), at(sorted, 0.5) / 1000.0, at(sorted, 0.99) / 1000.0,
                sorted.get(sorted.size() - 1) / 1000.0, failures, failures == 0 ? "" : " (" + lastFailure + ")");
    }

    static long at(List<Long> sorted, double q) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }

    /** Whether the first call has been made (answered or failed) within {@code millis}. */
    boolean awaitFirstCall(long millis) throws InterruptedException {
        return firstCall.await(millis, TimeUnit.MILLISECONDS);
    }

    /** Makes no call after the one in flight; {@link #close} then waits for that one. */
    void halt() {
        running = false;
    }

    @Override
    public void close() {
        halt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void readLine(InputStream in) throws IOException {
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new IOException("closed before a line");
            }
        }
    }

    /** Reads one response: headers, then a Content-Length body (the sample backend always sends one). */
    private static void readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        for (int last4 = 0; last4 != 0x0d0a0d0a; ) { // the last four bytes read: CR LF CR LF ends the head
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed mid-response");
            }
            head.append((char) c);
            last4 = last4 << 8 | c;
        }
        String headers = head.toString().toLowerCase(java.util.Locale.ROOT);
        if (!headers.startsWith("http/1.1 200")) {
            throw new IOException("answered " + head.substring(0, head.indexOf("\r")));
        }
        int at = headers.indexOf("content-length:");
        int length = at < 0 ? 0 : Integer.parseInt(headers.substring(at + 15, headers.indexOf('\r', at)).strip());
        in.readNBytes(length);
    }
}
