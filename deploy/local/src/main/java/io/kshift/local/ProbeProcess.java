package io.kshift.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link Probe}s run in a JVM of their own, started by a benchmark and stopped by it. In the benchmark's JVM a probe
 * timed that JVM's own garbage collections as the data plane's latency: while {@code ./kshift bench scale} loaded
 * 10,000 resources its JVM (batches, the bus timeline, the fleet view) paused 15 times in 19 s for 4-53 ms, each
 * pause inside whichever call was in flight, which was most of the probes' p99. This JVM allocates next to nothing
 * (serial collector, small heap), so what a probe records is the sockets' time.
 *
 * <p>Protocol: arguments {@code intervalMillis maxMillis spec...} with {@code tcp:HOST:PORT} or
 * {@code http:HOST:PORT:PATH}; a line {@code stop} on standard input, or its end, stops the probes; the child then
 * prints one {@link Probe#summary()} per spec, in order, and a line {@value #END}.
 */
public final class ProbeProcess implements AutoCloseable {
    static final String END = "end";
    private static final List<String> JVM = List.of("-XX:+UseSerialGC", "-Xms16m", "-Xmx32m",
            "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData");

    private final Process process;
    private final List<String> specs;
    private final CompletableFuture<List<String>> summaries;
    private List<String> result;

    private ProbeProcess(Process process, List<String> specs) {
        this.process = process;
        this.specs = specs;
        this.summaries = CompletableFuture.supplyAsync(this::readSummaries);
    }

    /** Starts the probes ({@code tcp:HOST:PORT} / {@code http:HOST:PORT:PATH}) in a child JVM. */
    public static ProbeProcess start(long intervalMillis, long maxMillis, List<String> specs) {
        specs.forEach(Spec::parse); // a bad spec fails here, in the caller, not in the child
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(JVM);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ProbeProcess.class.getName(),
                Long.toString(intervalMillis), Long.toString(maxMillis)));
        cmd.addAll(specs);
        try {
            return new ProbeProcess(new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start(),
                    List.copyOf(specs));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the probes' JVM", e);
        }
    }

    /**
     * Stops the probes and returns their summaries, one per spec in order; a child that does not answer in 10 s is
     * killed, and each summary then says so. Idempotent.
     */
    public synchronized List<String> stop() {
        if (result != null) {
            return result;
        }
        try (OutputStream in = process.getOutputStream()) {
            in.write("stop\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            // Gone already: its output, or its absence, says why.
        }
        try {
            List<String> lines = summaries.get(10, TimeUnit.SECONDS);
            result = lines.size() == specs.size() ? lines
                    : failed(process.waitFor(2, TimeUnit.SECONDS) ? "exited with " + process.exitValue()
                            + " after " + lines.size() + " of " + specs.size() + " summaries (its errors are above)"
                            : "answered " + lines);
        } catch (TimeoutException | ExecutionException e) {
            result = failed("no answer in 10 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result = failed("interrupted");
        } finally {
            process.destroyForcibly();
        }
        return result;
    }

    @Override
    public void close() {
        stop();
    }

    private List<String> failed(String why) {
        return specs.stream().map(s -> s + ": the probes' JVM " + why).toList();
    }

    private List<String> readSummaries() {
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null && !line.equals(END); ) {
                lines.add(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines;
    }

    /** The child: runs the probes until told to stop, then prints their summaries. */
    public static void main(String[] args) throws IOException {
        long interval = Long.parseLong(args[0]);
        long max = Long.parseLong(args[1]);
        List<Probe> probes = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            probes.add(Spec.parse(args[i]).start(interval, max));
        }
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        for (String line; (line = stdin.readLine()) != null && !line.strip().equals("stop"); ) {
            // Nothing else is said on this channel.
        }
        for (Probe p : probes) {
            p.close();
        }
        for (Probe p : probes) {
            System.out.println(p.summary());
        }
        System.out.println(END);
        System.out.flush();
    }

    /** {@code tcp:HOST:PORT} or {@code http:HOST:PORT:PATH}. */
    record Spec(boolean http, String host, int port, String path) {
        static Spec parse(String spec) {
            String[] p = spec.split(":", 4);
            try {
                if (p[0].equals("tcp") && p.length == 3) {
                    return new Spec(false, p[1], Integer.parseInt(p[2]), null);
                }
                if (p[0].equals("http") && p.length == 4 && p[3].startsWith("/")) {
                    return new Spec(true, p[1], Integer.parseInt(p[2]), p[3]);
                }
            } catch (NumberFormatException e) {
                // said below
            }
            throw new IllegalArgumentException("probe " + spec + ": expected tcp:HOST:PORT or http:HOST:PORT:/PATH");
        }

        Probe start(long interval, long max) {
            return http ? Probe.http(host, port, path, interval, max) : Probe.tcp(host, port, interval, max);
        }
    }
}
