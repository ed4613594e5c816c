package io.kshift.local.proxybench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * The HTTPS scenario's load: keep-alive GETs over TLS, one blocking JDK TLS connection per thread (the JDK's
 * SSLEngine under a selector would be a TLS implementation of its own). The client's own TLS work shares the cores
 * with the proxy it drives, the same against every target: it narrows the ratios toward 1 rather than favouring
 * one. Certificates are checked against the run's CA, for the name sent as SNI.
 */
final class TlsLoad {
    private static final byte[] GET = "GET / HTTP/1.1\r\nHost: bench.example.com\r\nUser-Agent: kshift-bench\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    private TlsLoad() {
    }

    static Load.Result https(int port, String sni, SSLContext trust, int concurrency, double seconds)
            throws Exception {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        List<Worker> workers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < concurrency; i++) {
            Worker w = new Worker(port, sni, trust, deadline);
            workers.add(w);
            Thread t = new Thread(w, "bench-https-" + i);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join(120_000);
        }
        double took = (System.nanoTime() - start) / 1e9;
        Latency all = new Latency();
        long ops = 0, one = 0, two = 0, other = 0, errors = 0;
        for (Worker w : workers) {
            all.add(w.latency);
            ops += w.ops;
            one += w.one;
            two += w.two;
            other += w.other;
            errors += w.errors;
        }
        return new Load.Result("https", ops, took, all, one, two, other, errors, 0);
    }

    private static final class Worker implements Runnable {
        final int port;
        final String sni;
        final SSLContext trust;
        final long deadline;
        final Latency latency = new Latency();
        long ops, one, two, other, errors;

        Worker(int port, String sni, SSLContext trust, long deadline) {
            this.port = port;
            this.sni = sni;
            this.trust = trust;
            this.deadline = deadline;
        }

        @Override
        public void run() {
            while (System.nanoTime() < deadline) {
                try (SSLSocket s = io.kshift.samples.tls.DemoPki.connect(trust, "127.0.0.1", port, sni)) {
                    s.setTcpNoDelay(true);
                    OutputStream out = s.getOutputStream();
                    InputStream in = new BufferedInputStream(s.getInputStream(), 16384);
                    while (System.nanoTime() < deadline) {
                        long started = System.nanoTime();
                        out.write(GET);
                        out.flush();
                        String body = answer(in);
                        latency.record((System.nanoTime() - started) / 1000);
                        ops++;
                        if (body.startsWith("one")) {
                            one++;
                        } else if (body.startsWith("two")) {
                            two++;
                        } else {
                            other++;
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    errors++;
                    try {
                        Thread.sleep(10); // a refused target is not hammered in a tight loop
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }

        /** Reads one answer (sized by content-length) and returns its body. */
        private static String answer(InputStream in) throws IOException {
            StringBuilder head = new StringBuilder();
            int b;
            while ((b = in.read()) >= 0) {
                head.append((char) b);
                int n = head.length();
                if (n >= 4 && head.charAt(n - 1) == '\n' && head.charAt(n - 2) == '\r' && head.charAt(n - 3) == '\n') {
                    break;
                }
            }
            if (b < 0) {
                throw new IOException("closed");
            }
            String h = head.toString().toLowerCase(Locale.ROOT);
            int at = h.indexOf("content-length:");
            if (at < 0) {
                throw new IOException("no content-length");
            }
            int eol = h.indexOf("\r\n", at);
            int length = Integer.parseInt(h.substring(at + 15, eol).trim());
            byte[] body = in.readNBytes(length);
            return new String(body, StandardCharsets.US_ASCII);
        }
    }
}
