package io.kshift.local.proxybench;

import io.kshift.local.Fleet;
import io.kshift.local.KshiftClient;
import io.kshift.local.ProcessCpu;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./kshift bench proxy}: the data plane side by side, in one run on this machine. Backends of its own (line
 * echo {@code one}/{@code two}, raw echo, HTTP), its own 80/20 routes on the fleet (namespace {@code kshift-bench}),
 * and the same backends and weights behind HAProxy and nginx where they are installed. Five scenarios (new
 * connections, ping-pong, stream, HTTP keep-alive, and HTTPS keep-alive against the fleet's TLS termination and
 * HAProxy's, with a generated certificate), each target warmed first, repetitions with the target order
 * rotated; prints medians, ratios to a direct connection and to HAProxy from the same repetition, p50/p99, the
 * split, the proxies' CPU per 1,000 operations and their RSS, then the RSS of the proxies holding idle connections.
 */
public final class ProxyBench {
    public static final List<String> SCENARIOS = List.of("conn", "rr", "stream", "http", "https");

    /**
     * How long and how often, and which scenarios; {@link #defaults} are the figures the README quotes. {@code cold}:
     * the issue's "first 3 s after {@code ./kshift up}" — one repetition, the fleet measured first in every scenario
     * and never warmed, so each scenario's first traffic of its kind through the proxies is what is timed (run it
     * right after {@code up}; later scenarios follow the earlier ones' traffic, so {@code scenarios} picks which
     * comes first). Its warm-up seconds are this JVM's load generator's and backends', on another target, so that
     * only the fleet is cold.
     */
    public record Options(int reps, double seconds, double warmSeconds, int connections, int idle, boolean cold,
                          List<String> scenarios) {
        public Options {
            scenarios = List.copyOf(scenarios);
        }

        public static Options defaults() {
            return new Options(3, 3, 1, 5000, 1000, false, SCENARIOS);
        }

        public static Options coldStart() {
            return new Options(1, 3, 3, 5000, 1000, true, SCENARIOS);
        }
    }

    private final Fleet fleet;
    private final PrintStream out;
    private final Path work;

    public ProxyBench(Fleet fleet, Path work, PrintStream out) {
        this.fleet = fleet;
        this.work = work;
        this.out = out;
    }

    /** A target of the run: its name and its ports (TCP line, TCP raw, HTTP, HTTPS; 0: none). */
    record Target(String name, int line, int raw, int http, int https) {
    }

    public void run(Options o) throws Exception {
        Path dir = work.resolve("bench-proxy");
        Files.createDirectories(dir);
        List<EchoBackend> backends = new ArrayList<>();
        Runnable cleanup = null;
        try (Peers peers = new Peers()) {
            int[] line = {add(backends, EchoBackend.Mode.LINE, "one"), add(backends, EchoBackend.Mode.LINE, "two")};
            int[] raw = {add(backends, EchoBackend.Mode.RAW, "one"), add(backends, EchoBackend.Mode.RAW, "two")};
            int[] http = {add(backends, EchoBackend.Mode.HTTP, "one"), add(backends, EchoBackend.Mode.HTTP, "two")};
            int[] gateway = BenchMesh.freePorts(4);
            // HTTPS: a throw-away CA and a certificate for the SNI the load sends, served by the fleet and HAProxy.
            var pki = io.kshift.samples.tls.DemoPki.create("kshift bench CA");
            var cert = pki.issue(HTTPS_NAME);
            trust = pki.trustingContext();
            byte[] mesh = BenchMesh.yaml(gateway, line, raw, http, cert).getBytes(StandardCharsets.UTF_8);
            KshiftClient client = new KshiftClient(fleet.layout());
            var applied = client.post("/api/v1/apply?waitFor=synced&timeout=30s", mesh);
            if (applied.status() != 200) {
                throw new IllegalStateException("the benchmark mesh was not applied: " + applied.describe());
            }
            cleanup = () -> client.delete(mesh);
            int cores = Runtime.getRuntime().availableProcessors();
            peers.startHaproxy(dir, BenchMesh.freePorts(4), line, raw, http, cores, cert.certPem() + cert.keyPem());
            peers.startNginx(dir, BenchMesh.freePorts(3), line, raw, http, cores);
            List<Target> targets = new ArrayList<>();
            targets.add(new Target("direct", line[0], raw[0], http[0], 0));
            targets.addAll(peers.started());
            targets.add(o.cold() ? 0 : targets.size(), new Target("kshift", gateway[0], gateway[1], gateway[2],
                    gateway[3]));
            ProcessCpu proxies = new ProcessCpu(fleet.status().stream()
                    .filter(s -> s.name().startsWith("proxy")).flatMap(s -> s.pid().stream()).toList());
            if (o.cold()) {
                out.printf("proxy benchmark, cold: %d cores, one run per target (%.0f s; new connections: %d), the "
                        + "fleet first and not warmed (the load generator is, on another target), scenarios %s in "
                        + "that order; its proxies started %s s ago and have used %.1f CPU-s since (start-up and "
                        + "their own warm-up); targets %s%n", cores, o.seconds(), o.connections(), o.scenarios(),
                        proxies.ageSeconds(), proxies.ticks() / 100.0, targets.stream().map(Target::name).toList());
            } else {
                out.printf("proxy benchmark: %d cores, %d reps, %.0f s runs after %.0f s warm-up per target; "
                        + "targets %s%n", cores, o.reps(), o.seconds(), o.warmSeconds(),
                        targets.stream().map(Target::name).toList());
            }
            if (peers.started().isEmpty()) {
                out.println("(HAProxy and nginx are not installed: ratios to a direct connection only)");
            }
            BenchTable table = new BenchTable(out);
            for (String scenario : o.scenarios()) {
                // HTTPS only where it is served (the fleet, HAProxy): ratios to HAProxy's TLS termination.
                List<Target> serving = scenario.equals("https") ? targets.stream().filter(t -> t.https() > 0).toList()
                        : targets;
                // Cold: the load generator (this JVM) is warmed on another target, so that only the fleet is cold.
                List<Target> warming = o.cold()
                        ? serving.stream().filter(t -> !t.name().equals("kshift")).limit(1).toList() : serving;
                for (Target t : warming) {
                    scenario(scenario, t, o, true);
                }
                Map<String, List<Load.Result>> results = new LinkedHashMap<>();
                Map<String, Double> cpuPerK = new LinkedHashMap<>();
                for (int rep = 0; rep < o.reps(); rep++) {
                    for (int i = 0; i < serving.size(); i++) {
                        Target t = serving.get((i + rep) % serving.size());
                        long before = proxies.ticks();
                        Load.Result r = scenario(scenario, t, o, false);
                        if (t.name().equals("kshift")) {
                            double ms = (proxies.ticks() - before) * 10.0;
                            double ops = scenario.equals("stream") ? r.bytes() / 1e6 : r.ops() / 1000.0;
                            cpuPerK.merge(t.name(), ms / Math.max(1e-9, ops) / o.reps(), Double::sum);
                        }
                        results.computeIfAbsent(t.name(), k -> new ArrayList<>()).add(r);
                    }
                }
                table.scenario(scenario, results, cpuPerK.getOrDefault("kshift", Double.NaN));
            }
            table.footer(proxies.rssMb());
            IdleConnections.report(gateway[0], o.idle(), proxies, out);
        } finally {
            if (cleanup != null) {
                cleanup.run(); // the benchmark's routes leave the fleet whether the run finished or not
            }
            for (EchoBackend b : backends) {
                b.close();
            }
        }
    }

    private static int add(List<EchoBackend> backends, EchoBackend.Mode mode, String prefix) throws Exception {
        EchoBackend b = new EchoBackend(mode, prefix);
        backends.add(b);
        return b.port();
    }

    static final String HTTPS_NAME = "bench.example.com";
    private javax.net.ssl.SSLContext trust;

    /** {@code warm}: the unmeasured pass before a scenario (a fifth of the connections, warm-up seconds). */
    private Load.Result scenario(String scenario, Target t, Options o, boolean warm) throws Exception {
        double seconds = warm ? o.warmSeconds() : o.seconds();
        return switch (scenario) {
            case "https" -> TlsLoad.https(t.https(), HTTPS_NAME, trust, 32, seconds);
            case "conn" -> Load.conn(t.line(), warm ? o.connections() / 5 : o.connections(), 50, 2);
            case "rr" -> Load.rr(t.line(), 50, seconds);
            case "stream" -> Load.stream(t.raw(), 8, seconds);
            default -> Load.http(t.http(), 32, seconds);
        };
    }
}
