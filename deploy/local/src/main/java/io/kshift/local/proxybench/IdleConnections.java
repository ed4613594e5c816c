package io.kshift.local.proxybench;

import io.kshift.local.ProcessCpu;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Holds {@code n} idle TCP connections through the fleet (each proves it reaches a backend with one line and its
 * answer, then stays open doing nothing) and prints the proxies' RSS before and while they are held: the memory a
 * connection costs a proxy at rest.
 */
final class IdleConnections {
    /** Longer than the pom's G1PeriodicGCInterval and TrimNativeHeapInterval (15 s) twice over. */
    private static final long SETTLE_MILLIS = 33_000;
    private IdleConnections() {
    }

    static void report(int port, int n, ProcessCpu proxies, PrintStream out) throws Exception {
        if (n <= 0) {
            return;
        }
        // At rest before as after: right after the load scenarios the heap they grew is not yet given back.
        Thread.sleep(SETTLE_MILLIS);
        List<Long> before = proxies.rssMb();
        List<Socket> held = new ArrayList<>();
        int answered = 0;
        try {
            byte[] answer = new byte[256];
            for (int i = 0; i < n; i++) {
                Socket s = new Socket();
                s.setTcpNoDelay(true);
                // A plain socket, so the timeout holds: a backend that never answers cannot hang the benchmark.
                s.setSoTimeout(5000);
                s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                held.add(s);
                s.getOutputStream().write("idle\n".getBytes(StandardCharsets.US_ASCII));
                try {
                    if (s.getInputStream().read(answer) > 0) {
                        answered++;
                    }
                } catch (java.net.SocketTimeoutException e) {
                    // counted as not answered; the connection is held all the same
                }
            }
            Thread.sleep(2000);
            List<Long> during = proxies.rssMb();
            // An idle JVM gives memory back on its own schedule (G1PeriodicGCInterval, TrimNativeHeapInterval:
            // 15 s): what a node holding the connections keeps at rest is measured after that.
            Thread.sleep(SETTLE_MILLIS);
            List<Long> settled = proxies.rssMb();
            out.printf("idle TCP connections: %d held through the fleet (%d answered); proxy RSS at rest %s MB "
                    + "before, %s MB just after connecting, %s MB held %d s later, at rest (the kernel spreads them "
                    + "over the proxies)%n", held.size(), answered, before, during, settled,
                    (2000 + SETTLE_MILLIS) / 1000);
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
