package io.kshift.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * {@code http:HOST:PORT:PATH}; a line {@code phase NAME} on standard input starts a phase (calls count towards it
 * too), a line {@code stop}, or the input's end, stops the probes; the child then prints one
 * {@link Probe#summary()} per spec, in order, then a line {@code phase<TAB>index<TAB>name<TAB>figures} per spec and
 * phase, and a line {@value #END}.
 */
public final class ProbeProcess implements AutoCloseable {
    static final String END = "end";
    private static final String PHASE = "phase";
    private static final List<String> JVM = List.of("-XX:+UseSerialGC", "-Xms16m", "-Xmx32m",
            "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData");

    /**
     * What the probes measured: one {@link Probe#summary()} per spec, in order; and per phase, in the order the
     * phases began, one {@link Probe#phaseFigures()} entry per spec.
     */
    public record Figures(List<String> summaries, Map<String, List<String>> phases) {
    }

    private final Process process;
    private final OutputStream commands;
    private final List<String> specs;
    private final CompletableFuture<List<String>> answer;
    private Figures result;

    private ProbeProcess(Process process, List<String> specs) {
        this.process = process;
        this.commands = process.getOutputStream();
        this.specs = specs;
        this.answer = CompletableFuture.supplyAsync(this::readAnswer);
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

    /** From now on the probes' calls count towards phase {@code name} (one word) as well as the whole. */
    public synchronized void phase(String name) {
        if (result != null || !name.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("phase " + name + ": one word, before stop()");
        }
        say(PHASE + " " + name + "\n");
    }

    /**
     * Stops the probes and returns what they measured; a child that does not answer in 10 s is killed, and each
     * summary then says so. Idempotent.
     */
    public synchronized Figures stop() {
        if (result != null) {
            return result;
        }
        say("stop\n");
        try {
            commands.close();
        } catch (IOException e) {
            // Gone already: its output, or its absence, says why.
        }
        try {
            result = figures(answer.get(10, TimeUnit.SECONDS));
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

    private void say(String line) {
        try {
            commands.write(line.getBytes(StandardCharsets.US_ASCII));
            commands.flush();
        } catch (IOException e) {
            // Gone already: stop() says so.
        }
    }

    private Figures figures(List<String> lines) throws InterruptedException {
        int n = specs.size();
        if (lines.size() < n || lines.subList(0, n).stream().anyMatch(l -> l.startsWith(PHASE + "\t"))) {
            return failed(process.waitFor(2, TimeUnit.SECONDS) ? "exited with " + process.exitValue()
                    + " before its summaries (its errors are above)" : "answered " + lines);
        }
        Map<String, List<String>> phases = new LinkedHashMap<>();
        for (String line : lines.subList(n, lines.size())) {
            String[] f = line.split("\t", 4); // phase, spec index, name, figures
            List<String> row = phases.computeIfAbsent(f[2], k -> new ArrayList<>(Collections.nCopies(n, "n=0")));
            row.set(Integer.parseInt(f[1]), f[3]);
        }
        return new Figures(List.copyOf(lines.subList(0, n)), phases);
    }

    private Figures failed(String why) {
        return new Figures(specs.stream().map(s -> s + ": the probes' JVM " + why).toList(), Map.of());
    }

    private List<String> readAnswer() {
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

    /** The child: runs the probes until told to stop, then prints their summaries and figures per phase. */
    public static void main(String[] args) throws IOException {
        long interval = Long.parseLong(args[0]);
        long max = Long.parseLong(args[1]);
        List<Probe> probes = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            probes.add(Spec.parse(args[i]).start(interval, max));
        }
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        for (String line; (line = stdin.readLine()) != null && !line.strip().equals("stop"); ) {
            if (line.startsWith(PHASE + " ")) {
                String name = line.substring(PHASE.length() + 1).strip();
                probes.forEach(p -> p.phase(name));
            }
        }
        for (Probe p : probes) {
            p.close();
        }
        for (Probe p : probes) {
            System.out.println(p.summary());
        }
        for (int i = 0; i < probes.size(); i++) {
            for (Map.Entry<String, String> e : probes.get(i).phaseFigures().entrySet()) {
                System.out.println(PHASE + "\t" + i + "\t" + e.getKey() + "\t" + e.getValue());
            }
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
