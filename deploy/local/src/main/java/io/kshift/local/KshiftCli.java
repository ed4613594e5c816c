package io.kshift.local;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code ./kshift up | down | status | demo [tcp | http | mirror | tls | all]}: the local fleet for people. {@code up}
 * starts everything and returns; {@code demo} runs the TCP traffic shifting task (default), the HTTP tutorial, the
 * mirroring task or all three, starting the fleet first if needed and stopping it afterwards if it started it.
 */
public final class KshiftCli {
    public static final int GATEWAY_PORT = 31400;
    public static final int HTTP_GATEWAY_PORT = 31080;

    private KshiftCli() {
    }

    public static void main(String[] args) {
        Path repo = Path.of("").toAbsolutePath();
        Path work = repo.resolve(".kshift");
        String command = args.length == 0 ? "help" : args[0];
        PrintStream out = System.out;
        try {
            switch (command) {
                case "up" -> up(new Fleet(upLayout(repo, work, args)), out);
                case "down" -> new Fleet(FleetLayout.load(repo, work)).down(out);
                case "status" -> status(new Fleet(FleetLayout.load(repo, work)), out);
                case "demo" -> demo(repo, work, args.length > 1 ? args[1] : "tcp", out);
                case "bench" -> bench(repo, work, java.util.Arrays.copyOfRange(args, Math.min(1, args.length),
                        args.length), out);
                case "keys" -> keys(Files.exists(work.resolve("fleet.properties")) ? FleetLayout.load(repo, work)
                        : FleetLayout.defaults(repo), out);
                case "apply", "delete", "get", "proxies", "generations", "rollback", "token" -> System.exit(
                        new ApiCommands(Files.exists(work.resolve("fleet.properties")) ? FleetLayout.load(repo, work)
                                : FleetLayout.defaults(repo), out).run(command, List.of(args).subList(1, args.length)));
                default -> {
                    out.println("usage: ./kshift up [--brokers 1|3-9] | down | status | demo [tcp | http | mirror | tls | all]"
                            + " | bench telemetry | bench scale [SERVICES] [--keep]"
                            + " | " + BENCH_PROXY_USAGE);
                    out.println("       ./kshift apply -f FILE [--dry-run] | delete -f FILE | get [KIND [NS/NAME]]"
                            + " | proxies | generations | rollback GENERATION");
                    out.println("       ./kshift token --role viewer|editor|admin [--namespace NS]... [--subject NAME]"
                            + " [--ttl 24h] | keys");
                    System.exit(command.equals("help") ? 0 : 2);
                }
            }
        } catch (RuntimeException e) {
            System.err.println("kshift " + command + ": " + e.getMessage());
            System.exit(1);
        }
        System.exit(0);
    }

    /**
     * {@code up [--brokers N]}: DESIGN.md's ports with a Kafka of N brokers (9092/9093, 9094/9095, ...). Without
     * the flag, as many as the fleet saved last time (one the first time); a different count while the saved
     * fleet's brokers run is refused, or {@code down} would no longer know them.
     */
    static FleetLayout upLayout(Path repo, Path work, String[] args) {
        FleetLayout saved = Files.exists(work.resolve("fleet.properties")) ? FleetLayout.load(repo, work) : null;
        Integer asked = brokers(args);
        int n = asked != null ? asked : saved != null ? saved.brokers() : 1;
        if (saved != null && saved.brokers() != n && LocalKafka.names(saved).stream()
                .anyMatch(b -> ManagedProcess.running(saved, b).isPresent())) {
            throw new IllegalArgumentException("a Kafka of " + saved.brokers() + " broker(s) is running: ./kshift down"
                    + " first (each size keeps its own data: .kshift/kafka for one broker, .kshift/kafka-N for a cluster)");
        }
        return FleetLayout.defaults(repo, n);
    }

    /** {@code --brokers N} or {@code --brokers=N}; null when absent. Anything else is refused, never dropped. */
    static Integer brokers(String[] args) {
        String value = null;
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--brokers")) {
                value = i + 1 < args.length ? args[++i] : "";
            } else if (args[i].startsWith("--brokers=")) {
                value = args[i].substring("--brokers=".length());
            } else {
                throw new IllegalArgumentException("'" + args[i] + "' is not an option of up; usage: ./kshift up"
                        + " [--brokers 1|3-9]");
            }
        }
        if (value == null) {
            return null;
        }
        int n = value.matches("[0-9]{1,2}") ? Integer.parseInt(value) : 0;
        if (n != 1 && (n < 3 || n > 9)) {
            throw new IllegalArgumentException("--brokers takes 1, or 3 to 9 (a cluster that survives losing a broker)");
        }
        return n;
    }

    static void up(Fleet fleet, PrintStream out) {
        fleet.up(out);
        status(fleet, out);
        FleetLayout l = fleet.layout();
        out.println();
        java.nio.file.Path token = l.workDir().resolve(LocalCredentials.TOKEN_FILE);
        out.println("Every API needs a token: an admin one is in " + repoRelative(l, token) + " (mode 600); "
                + "./kshift token --role viewer|editor|admin [--namespace NS] makes others.");
        out.println("The fleet is up. Try the task's steps (./kshift apply -f FILE does the same):");
        out.println("  curl -H @.kshift/auth-header -X POST --data-binary"
                + " @samples/tcp-echo/tcp-echo-services.yaml -H 'Content-Type: application/yaml' '"
                + l.configUrl() + "/api/v1/apply?wait=5s'");
        out.println("  ./kshift apply -f samples/tcp-echo/tcp-echo-all-v1.yaml");
        out.println("  for i in $(seq 20); do (date; sleep 1) | nc -q1 " + l.host() + " " + GATEWAY_PORT + "; done");
        out.println("HTTP: httpbin v1/v2 on " + l.httpV1Port() + "/" + l.httpV2Port() + ", mesh port " + l.meshPort()
                + " (Host picks the VirtualService):");
        out.println("  ./kshift apply -f samples/httpbin/httpbin-services.yaml");
        out.println("  curl -H 'Host: httpbin:8000' http://" + l.host() + ":" + l.meshPort() + "/headers");
        out.println("Live page: " + l.telemetryUrl() + "/login.html#token=$(./kshift token --role viewer)"
                + " (a viewer token: its cookie goes to every port of this host)");
        out.println("Demos: ./kshift demo tcp | http | mirror | tls | all");
        out.println("Logs: " + l.logs() + "    Stop: ./kshift down");
    }

    /** The signing key pair and an admin token, for a fleet not started by {@code up} (compose, a cluster). */
    static void keys(FleetLayout layout, PrintStream out) {
        LocalCredentials.issuer(layout);
        java.nio.file.Path token = LocalCredentials.writeAdminToken(layout);
        out.println("token verification key: " + repoRelative(layout, LocalCredentials.verifyKey(layout))
                + " (mount it at /etc/kshift/jwt/jwt-verify.pem, or point mp.jwt.verify.publickey.location at it)");
        out.println("admin token:            " + repoRelative(layout, token) + " (mode 600)");
        out.println("fleet key ring:         " + repoRelative(layout, LocalCredentials.fleetKeys(layout))
                + " (mode 600; config-service and proxies only: mount it at /etc/kshift/secrets/fleet.keys)");
        ComposeBus.Written written = ComposeBus.write(layout);
        java.nio.file.Path bus = written.dir();
        out.println("compose Kafka:          " + repoRelative(layout, bus) + "/ (mode 700: TLS CA and broker key, each"
                + " service's SCRAM login; host tools: --command-config " + repoRelative(layout,
                bus.resolve("kafka-client.properties")) + ")");
        if (written.newCertificate()) {
            out.println("                        a new Kafka CA and broker certificate: recreate a running compose fleet"
                    + " (docker compose up -d --force-recreate) so every container trusts it");
        }
    }

    private static String repoRelative(FleetLayout l, java.nio.file.Path p) {
        return p.startsWith(l.repo()) ? l.repo().relativize(p).toString() : p.toString();
    }

    static void status(Fleet fleet, PrintStream out) {
        out.printf("%-18s %-9s %s%n", "MEMBER", "PID", "ADDRESS");
        for (Fleet.MemberStatus s : fleet.status()) {
            out.printf("%-18s %-9s %s%n", s.name(), s.pid().map(String::valueOf).orElse("stopped"), s.address());
        }
    }

    static void bench(Path repo, Path work, String[] args, PrintStream out) {
        String which = args.length == 0 ? "telemetry" : args[0];
        switch (which) {
            case "telemetry" -> {
                if (args.length > 1) {
                    throw new IllegalArgumentException("bench telemetry takes no options; got " + args[1]);
                }
                onFleet(repo, work, out, fleet -> new TelemetryLagBench(fleet.layout(), GATEWAY_PORT, out).run(5));
            }
            case "scale" -> {
                List<String> rest = List.of(args).subList(1, args.length);
                scaleOptions(rest);
                int services = rest.stream().filter(a -> a.matches("\\d+")).findFirst().map(Integer::parseInt)
                        .orElse(2000);
                onFleet(repo, work, out, fleet -> new ScaleBench(fleet.layout(), out).run(services,
                        rest.contains("--keep")));
            }
            case "proxy" -> {
                var options = proxyOptions(args); // a bad option is refused before any fleet is started
                onFleet(repo, work, out, fleet -> {
                    try {
                        new io.kshift.local.proxybench.ProxyBench(fleet, work, out).run(options);
                    } catch (RuntimeException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new IllegalStateException("proxy benchmark failed: " + e, e);
                    }
                });
            }
            default -> throw new IllegalArgumentException("no benchmark '" + which
                    + "'; try telemetry, scale or proxy");
        }
    }

    /** {@code bench scale [SERVICES] [--keep]}: anything else is refused, never silently dropped. */
    static void scaleOptions(List<String> rest) {
        long counts = rest.stream().filter(a -> a.matches("\\d+")).count();
        java.util.Optional<String> other = rest.stream().filter(a -> !a.matches("\\d+") && !a.equals("--keep"))
                .findFirst();
        if (counts > 1 || other.isPresent()) {
            throw new IllegalArgumentException("bench scale: '" + other.orElse(rest.toString()) + "' is not an option"
                    + " here; usage: ./kshift bench scale [SERVICES] [--keep]");
        }
    }

    static final String BENCH_PROXY_USAGE = "bench proxy [--cold] [--only SCENARIO,...] [--reps N] [--secs S] "
            + "[--warm S] [--conns N] [--idle N]";

    /** {@code bench proxy ...} ({@link #BENCH_PROXY_USAGE}); anything else is refused, never silently dropped. */
    static io.kshift.local.proxybench.ProxyBench.Options proxyOptions(String[] args) {
        List<String> rest = List.of(args).subList(Math.min(1, args.length), args.length);
        boolean cold = rest.contains("--cold");
        var d = cold ? io.kshift.local.proxybench.ProxyBench.Options.coldStart()
                : io.kshift.local.proxybench.ProxyBench.Options.defaults();
        java.util.Map<String, String> f = new java.util.HashMap<>();
        List<String> valued = List.of("--only", "--reps", "--secs", "--warm", "--conns", "--idle");
        for (int i = 0; i < rest.size(); i++) {
            String a = rest.get(i);
            if (a.equals("--cold")) {
                continue;
            }
            if (!valued.contains(a) || i + 1 >= rest.size()) {
                throw new IllegalArgumentException("bench proxy: '" + a + "' is not an option here, or lacks its "
                        + "value; usage: ./kshift " + BENCH_PROXY_USAGE);
            }
            f.put(a, rest.get(++i));
        }
        if (cold && (f.containsKey("--reps") || f.containsKey("--warm"))) {
            throw new IllegalArgumentException("bench proxy: --cold is one run with no warm-up of the fleet; "
                    + "--reps and --warm do not apply");
        }
        List<String> scenarios = f.containsKey("--only") ? List.of(f.get("--only").split(",")) : d.scenarios();
        if (scenarios.isEmpty() || !io.kshift.local.proxybench.ProxyBench.SCENARIOS.containsAll(scenarios)) {
            throw new IllegalArgumentException("bench proxy: --only takes some of "
                    + String.join(",", io.kshift.local.proxybench.ProxyBench.SCENARIOS) + "; got " + f.get("--only"));
        }
        return new io.kshift.local.proxybench.ProxyBench.Options(
                Integer.parseInt(f.getOrDefault("--reps", String.valueOf(d.reps()))),
                Double.parseDouble(f.getOrDefault("--secs", String.valueOf(d.seconds()))),
                Double.parseDouble(f.getOrDefault("--warm", String.valueOf(d.warmSeconds()))),
                Integer.parseInt(f.getOrDefault("--conns", String.valueOf(d.connections()))),
                Integer.parseInt(f.getOrDefault("--idle", String.valueOf(d.idle()))), cold, scenarios);
    }

    static void demo(Path repo, Path work, String which, PrintStream out) {
        if (!List.of("tcp", "http", "mirror", "tls", "all").contains(which)) {
            throw new IllegalArgumentException("no demo '" + which + "'; try tcp, http, mirror, tls or all");
        }
        onFleet(repo, work, out, fleet -> {
            List<DemoScenario.Step> steps = new java.util.ArrayList<>();
            if (which.equals("tcp") || which.equals("all")) {
                steps.addAll(new DemoScenario(fleet.layout(), GATEWAY_PORT, out).run());
            }
            if (which.equals("mirror") || which.equals("all")) {
                steps.addAll(new HttpDemo(fleet.layout(), HTTP_GATEWAY_PORT, out).mirror());
            }
            if (which.equals("http") || which.equals("all")) {
                steps.addAll(new HttpDemo(fleet.layout(), HTTP_GATEWAY_PORT, out).tutorial());
            }
            if (which.equals("tls") || which.equals("all")) {
                steps.addAll(new TlsDemo(fleet.layout(), out).run());
            }
            out.println();
            out.println("== Summary");
            steps.forEach(s -> out.printf("  %-30s %-28s %s%n", s.name(), s.counts().isEmpty() ? "HTTP " + s.status()
                    : s.counts(), s.ok() ? "ok" : "NOT AS EXPECTED (" + s.expected() + ")"));
            List<String> failed = steps.stream().filter(s -> !s.ok()).map(DemoScenario.Step::name).toList();
            if (!failed.isEmpty()) {
                throw new IllegalStateException("steps not as expected: " + failed);
            }
        });
    }

    /**
     * Runs {@code task} on the running fleet, or on one started for it and stopped afterwards (also when starting it
     * fails part-way). A fleet of which some part runs (a member crashed) is completed and left running: it is the
     * user's, not this command's, to stop.
     */
    static void onFleet(Path repo, Path work, PrintStream out, java.util.function.Consumer<Fleet> task) {
        Fleet fleet = new Fleet(Files.exists(work.resolve("fleet.properties"))
                ? FleetLayout.load(repo, work) : FleetLayout.defaults(repo));
        boolean startedHere = !fleet.anyRunning();
        try {
            if (!fleet.running()) {
                fleet.up(out);
            }
            task.accept(fleet);
        } finally {
            if (startedHere) {
                out.println();
                fleet.down(out);
            }
        }
    }
}
