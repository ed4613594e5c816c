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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link Probe}s run in a JVM of their own, started by a benchmark and stopped by it. In the benchmark's JVM a probe
 * timed that JVM's own garbage collections as the data plane's latency: while {@code ./kshift bench scale} loaded
 * 10,000 resources its JVM (batches, the bus timeline, the fleet view) paused 15 times in 19 s for 4-53 ms, each
 * pause inside whichever call was in flight, which was most of the probes' p99. This JVM does little besides the
 * calls (serial collector, small heap, a few hundred bytes per call), so what a probe records is the sockets' time.
 * Both halves of the protocol are here, the child's being {@link #main}.
 *
 * <p>Protocol: arguments {@code intervalMillis maxMillis spec...} with {@code tcp:HOST:PORT} or
 * {@code http:HOST:PORT:PATH}; the child says {@value #READY} once every probe has made its first call; a line
 * {@code phase NAME} on standard input starts a phase (calls count towards it too), a line {@code stop}, or the
 * input's end, stops the probes; the child then prints one {@link Probe#summary()} per spec, in order, then a line
 * {@code phase<TAB>index<TAB>name<TAB>figures} per spec and phase, and a line {@value #END}.
 */
public final class ProbeProcess implements AutoCloseable {
    static final String READY = "ready";
    static final String END = "end";
    private static final String PHASE = "phase";
    private static final Pattern PHASE_LINE = Pattern.compile(PHASE + "\t(\\d+)\t(\\S+)\t(.*)");
    private static final long START_MILLIS = 30_000;
    private static final List<String> JVM = List.of("-XX:+UseSerialGC", "-Xms16m", "-Xmx32m",
            "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData");

    /**
     * What the probes measured: one {@link Probe#summary()} per spec, in order; and per phase, in the order the
     * phases began, one {@link Probe#phaseFigures()} entry per spec.
     */
    public record Figures(List<String> summaries, Map<String, List<String>> phases) {
        /** One line per phase: {@code loading    tcp:31400 n=181 p99 37.79 ms, http:31080 n=182 p99 44.13 ms}. */
        public List<String> byPhase(List<String> labels) {
            List<String> out = new ArrayList<>();
            phases.forEach((phase, row) -> {
                List<String> cells = new ArrayList<>();
                for (int i = 0; i < row.size(); i++) {
                    cells.add(labels.get(i) + " " + row.get(i));
                }
                out.add(String.format("%-10s %s", phase, String.join(", ", cells)));
            });
            return out;
        }
    }

    private final Process process;
    private final OutputStream commands;
    private final List<String> specs;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final CompletableFuture<List<String>> answer = new CompletableFuture<>();
    private Figures result;

    private ProbeProcess(Process process, List<String> specs) {
        this.process = process;
        this.commands = process.getOutputStream();
        this.specs = specs;
        // Its own thread: it blocks on the child's output for the whole run.
        Thread reader = new Thread(this::readAnswer, "probe-process-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts the probes ({@code tcp:HOST:PORT} / {@code http:HOST:PORT:PATH}) in a child JVM and returns once each
     * has made its first call; a child that does not get there in 30 s is killed and the start fails, saying why.
     */
    public static ProbeProcess start(long intervalMillis, long maxMillis, List<String> specs) {
        specs.forEach(Spec::parse); // a bad spec fails here, in the caller, not in the child
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(JVM);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ProbeProcess.class.getName(),
                Long.toString(intervalMillis), Long.toString(maxMillis)));
        cmd.addAll(specs);
        ProbeProcess probes;
        try {
            probes = new ProbeProcess(new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start(),
                    List.copyOf(specs));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the probes' JVM", e);
        }
        try {
            probes.ready.get(START_MILLIS, TimeUnit.MILLISECONDS);
            return probes;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            probes.process.destroyForcibly();
            throw new IllegalStateException("interrupted while the probes' JVM started", e);
        } catch (ExecutionException | TimeoutException e) {
            probes.process.destroyForcibly();
            throw new IllegalStateException("the probes' JVM did not start: " + probes.why(e), e);
        }
    }

    /** From now on the probes' calls count towards phase {@code name} (one word) as well as the whole. */
    public synchronized void phase(String name) {
        if (!name.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("phase " + name + ": one word of letters, digits, '-' and '_'");
        }
        if (result != null) {
            throw new IllegalStateException("phase " + name + ": the probes have stopped");
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
            result = failed(why(e));
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

    private String why(Exception e) {
        if (e instanceof TimeoutException) {
            return "no answer in time";
        }
        try {
            return process.waitFor(2, TimeUnit.SECONDS) ? "exited with " + process.exitValue()
                    + " (its errors are above)" : String.valueOf(e.getCause());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private void say(String line) {
        try {
            commands.write(line.getBytes(StandardCharsets.US_ASCII));
            commands.flush();
        } catch (IOException e) {
            // Gone already: stop() says so.
        }
    }

    /** The child's answer: the summaries first, then the phase lines; anything else means it went wrong. */
    private Figures figures(List<String> lines) {
        int n = specs.size();
        if (lines.size() < n || lines.subList(0, n).stream().anyMatch(l -> PHASE_LINE.matcher(l).matches())) {
            return failed("answered " + lines);
        }
        Map<String, List<String>> phases = new LinkedHashMap<>();
        for (String line : lines.subList(n, lines.size())) {
            Matcher m = PHASE_LINE.matcher(line);
            int probe = m.matches() ? Integer.parseInt(m.group(1)) : -1;
            if (probe < 0 || probe >= n) {
                return failed("answered " + line);
            }
            phases.computeIfAbsent(m.group(2), k -> new ArrayList<>(Collections.nCopies(n, "n=0")))
                    .set(probe, m.group(3));
        }
        return new Figures(List.copyOf(lines.subList(0, n)), phases);
    }

    private Figures failed(String why) {
        return new Figures(specs.stream().map(s -> s + ": the probes' JVM " + why).toList(), Map.of());
    }

    private void readAnswer() {
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null && !line.equals(END); ) {
                if (line.equals(READY)) {
                    ready.complete(null);
                } else {
                    lines.add(line);
                }
            }
        } catch (IOException | RuntimeException e) {
            ready.completeExceptionally(e);
            answer.completeExceptionally(e);
            return;
        }
        ready.completeExceptionally(new IllegalStateException("ended before it was ready"));
        answer.complete(lines);
    }

    /** The child: runs the probes until told to stop, then prints their summaries and figures per phase. */
    public static void main(String[] args) throws IOException, InterruptedException {
        long interval = Long.parseLong(args[0]);
        long max = Long.parseLong(args[1]);
        List<Probe> probes = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            probes.add(Spec.parse(args[i]).start(interval, max));
        }
        for (Probe p : probes) {
            p.awaitFirstCall(START_MILLIS);
        }
        System.out.println(READY);
        System.out.flush();
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        for (String line; (line = stdin.readLine()) != null && !line.strip().equals("stop"); ) {
            if (line.startsWith(PHASE + " ")) {
                String name = line.substring(PHASE.length() + 1).strip();
                probes.forEach(p -> p.phase(name));
            }
        }
        probes.forEach(Probe::halt); // all at once: each may still have a call of up to 4 s in flight
        probes.forEach(Probe::close);
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
