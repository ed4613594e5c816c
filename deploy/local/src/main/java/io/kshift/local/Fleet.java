package io.kshift.local;

import io.kshift.model.bus.MeshAcls;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The local fleet: Kafka, validator-service, config-service, telemetry-service, two proxy nodes sharing the data ports
 * (SO_REUSEPORT) and a mesh HTTP port, the tcp-echo backends v1 ({@code one}) and v2 ({@code two}) and the
 * httpbin-like backends v1 and v2, each its own process.
 * {@link #up} starts what is not running, waits until every member is ready and warms a control plane it started
 * ({@link ControlPlaneWarmUp}); {@link #down} stops exactly the
 * processes {@code up} started; Kafka's data stays in {@code .kshift/kafka} ({@code .kshift/kafka-N} for a cluster)
 * so config survives a restart.
 */
public final class Fleet {
    /** One member: its name, how it is started, and where it answers when ready. */
    public record Member(String name, List<String> command, String readiness) {
    }

    /** What {@code status} shows of a member. */
    public record MemberStatus(String name, Optional<Long> pid, String address) {
    }

    /** HTTP/1.1: Java's default opens each connection with an h2c upgrade, HTTP/2 machinery for one call. */
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1).build();
    private final FleetLayout layout;
    private ProxyJvm proxyJvm;
    private ProxyAotCache aot;

    public Fleet(FleetLayout layout) {
        this(layout, ProxyJvm.forThisMachine());
    }

    Fleet(FleetLayout layout, ProxyJvm proxyJvm) {
        this.layout = layout;
        this.proxyJvm = proxyJvm;
        this.aot = new ProxyAotCache(layout, proxyJvm);
    }

    public FleetLayout layout() {
        return layout;
    }

    public List<Member> services() {
        String bootstrap = "-Dkafka.bootstrap.servers=" + layout.bootstrapServers();
        String host = "-Dquarkus.http.host=" + layout.host();
        String verifyKey = "-Dmp.jwt.verify.publickey.location=" + LocalCredentials.verifyKey(layout);
        List<Member> members = new ArrayList<>();
        members.add(echo("tcp-echo-v1", layout.echoV1Port(), "one"));
        members.add(echo("tcp-echo-v2", layout.echoV2Port(), "two"));
        members.add(httpbin("httpbin-v1", layout.httpV1Port(), "v1"));
        members.add(httpbin("httpbin-v2", layout.httpV2Port(), "v2"));
        members.add(validator("validator-service", layout.validatorPort()));
        String fleetKeys = "-Dkshift.secrets.key-file=" + LocalCredentials.fleetKeys(layout);
        members.add(controlPlane(quarkus("config-service", "config-service", layout.configPort(),
                List.of(bootstrap, host, verifyKey, fleetKeys,
                        BusCredentials.serviceLogin(layout, MeshAcls.CONFIG_SERVICE)))));
        members.add(controlPlane(quarkus("telemetry-service", "telemetry-service", layout.telemetryPort(), List.of(
                JvmFlags.TELEMETRY_HEAP, bootstrap, host, verifyKey,
                BusCredentials.serviceLogin(layout, MeshAcls.TELEMETRY),
                "-Dkafka-streams.state.dir=" + layout.workDir().resolve("telemetry-state"),
                "-Dkshift.telemetry.config-url=" + layout.configUrl()))));
        for (int i = 0; i < layout.proxyAdminPorts().size(); i++) {
            String node = "proxy-" + (i + 1);
            int port = layout.proxyAdminPorts().get(i);
            members.add(proxy(node, port, quarkusArgs("proxy-service", port,
                    List.of(JvmFlags.PROXY_HEAP, bootstrap, host, verifyKey, fleetKeys,
                    BusCredentials.serviceLogin(layout, MeshAcls.PROXY),
                    "-Dkshift.proxy.node-id=" + node, "-Dkshift.proxy.bind-host=" + layout.host(),
                    "-Dkshift.proxy.labels=istio=ingressgateway,fleet=local,node=" + node,
                    "-Dkshift.proxy.mesh-http-port=" + layout.meshPort(), proxyLoops(layout.proxyAdminPorts().size(),
                    Runtime.getRuntime().availableProcessors(), System.getenv("KSHIFT_PROXY_ACCEPTORS"))))));
        }
        return members;
    }

    /** A proxy on {@link ProxyJvm}'s JVM, with its AOT cache once one is trained for this build. */
    private Member proxy(String node, int port, List<String> args) {
        List<String> withCache = new ArrayList<>(args);
        aot.trained(args).ifPresent(cache -> withCache.add(0, "-XX:AOTCache=" + cache));
        return new Member(node, ManagedProcess.java(proxyJvm.java().toString(), node, withCache),
                "http://" + layout.host() + ":" + port + "/q/health/ready");
    }

    /** What a proxy runs on, for {@code up}'s output: the JDK and whether its AOT cache is in use. */
    private String proxyRuntime(Member proxy) {
        return "JDK " + proxyJvm.version() + (proxy.command().stream().anyMatch(a -> a.startsWith("-XX:AOTCache="))
                ? ", AOT cache" : proxyJvm.aot() ? ", no AOT cache" : "");
    }

    /**
     * Before the proxies start: a JDK found on the machine that refuses the fleet's flags gives way to the
     * launcher's JVM; on one with AOT caches, the cache is trained if this build has none, but only on a cold start
     * (nothing of the fleet but Kafka running): a training proxy shares the nodes' ports, so beside a live fleet it
     * would take real connections and then drop them.
     */
    private void prepareProxies(java.io.PrintStream out) {
        List<Member> members = services();
        Optional<Member> proxy = members.stream().filter(m -> m.name().startsWith("proxy-")).findFirst();
        if (proxy.isEmpty()) {
            return;
        }
        Member first = proxy.get();
        if (!proxyJvm.equals(ProxyJvm.current()) && !proxyJvm.accepts(first.command())) {
            out.println("note: " + proxyJvm.java() + " refuses the fleet's JVM flags; the proxies run on "
                    + ProxyJvm.current().java());
            proxyJvm = ProxyJvm.current();
            aot = new ProxyAotCache(layout, proxyJvm);
            return;
        }
        boolean cold = members.stream().allMatch(m -> ManagedProcess.running(layout, m.name()).isEmpty());
        if (cold) {
            aot.train(out, first, first.command(), this);
            return;
        }
        Optional<Path> failed = aot.failedBefore(first.command());
        if (failed.isPresent()) {
            out.println("note: the proxies start without an AOT cache: training failed for this build (to retry: rm "
                    + failed.get() + ", then ./kshift down and ./kshift up)");
        } else if (aot.path(first.command()).filter(p -> !Files.exists(p)).isPresent()) {
            out.println("note: the proxies start without an AOT cache for this build (it is trained when the whole"
                    + " fleet starts: ./kshift down, then ./kshift up)");
        }
    }

    /**
     * Each proxy of a fleet sharing one box gets event loops for its share of the cores, as a sidecar gets its CPU
     * limit: with one loop per core in every proxy, two proxies on two cores ran four loops that took turns with each
     * other, the client and the backends, and made fewer new connections per second (0.50-0.61x HAProxy in
     * {@code ../shared/bench/run.sh}) than with one loop each (0.61-0.74x). {@code KSHIFT_PROXY_ACCEPTORS}, when
     * set, is the proxy's own setting and wins (a system property would override it).
     */
    static String proxyLoops(int proxies, int cores, String fromEnvironment) {
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return "-Dkshift.proxy.acceptors=" + fromEnvironment.strip();
        }
        return "-Dkshift.proxy.acceptors=" + Math.max(1, cores / Math.max(1, proxies));
    }

    /** A validator instance; a second one on another port stands by and takes over if the active one dies. */
    public Member validator(String name, int port) {
        return controlPlane(quarkus(name, "validator-service", port, List.of("-Dkafka.bootstrap.servers="
                + layout.bootstrapServers(), "-Dquarkus.http.host=" + layout.host(),
                BusCredentials.serviceLogin(layout, MeshAcls.VALIDATOR),
                "-Dkshift.validator.egress.fleet=" + String.join(",", ownEndpoints(port)))));
    }

    /** The fleet's own endpoints, which no route may send traffic to (the validator adds Kafka's itself). */
    private List<String> ownEndpoints(int validatorPort) {
        List<String> own = new ArrayList<>();
        List<Integer> ports = new ArrayList<>(List.of(layout.configPort(), layout.telemetryPort(),
                layout.validatorPort(), validatorPort));
        ports.addAll(layout.controllerPorts());
        for (int p : ports) {
            own.add(layout.host() + ":" + p);
        }
        layout.proxyAdminPorts().forEach(p -> own.add(layout.host() + ":" + p));
        return own.stream().distinct().toList();
    }

    /** Control-plane members yield the CPU to the proxies ({@link ManagedProcess#background}). */
    private static Member controlPlane(Member m) {
        return new Member(m.name(), ManagedProcess.background(m.command()), m.readiness());
    }

    private Member echo(String name, int port, String prefix) {
        return new Member(name, ManagedProcess.java(name, List.of("-Xmx64m", "-cp", layout.lib() + "/*",
                "io.kshift.samples.TcpEcho", String.valueOf(port), prefix, layout.host())),
                "tcp://" + layout.host() + ":" + port);
    }

    /** The httpbin-like HTTP backend; its access log (one line per request, with Host) is its log file. */
    private Member httpbin(String name, int port, String version) {
        return new Member(name, ManagedProcess.java(name, List.of("-Xmx64m", "-cp", layout.lib() + "/*",
                "io.kshift.samples.HttpEcho", String.valueOf(port), version, layout.host())),
                "tcp://" + layout.host() + ":" + port);
    }

    /** A Quarkus service with the images' JVM flags; a heap in {@code props} overrides the default one. */
    private Member quarkus(String name, String module, int port, List<String> props) {
        return new Member(name, ManagedProcess.java(name, quarkusArgs(module, port, props)),
                "http://" + layout.host() + ":" + port + "/q/health/ready");
    }

    private List<String> quarkusArgs(String module, int port, List<String> props) {
        List<String> args = new ArrayList<>(JvmFlags.common());
        if (props.stream().noneMatch(p -> p.startsWith("-Xmx"))) {
            args.add(JvmFlags.CONFIG_HEAP);
        }
        args.add("-Dquarkus.http.port=" + port);
        args.addAll(props);
        args.add("-jar");
        args.add(layout.app(module).toString());
        return args;
    }

    /** Starts what is not running; one {@code up} or {@code down} at a time per work directory ({@link #exclusively}). */
    public void up(java.io.PrintStream out) {
        exclusively(out, () -> upNow(out));
    }

    /** Stops every member and broker; one {@code up} or {@code down} at a time per work directory. */
    public void down(java.io.PrintStream out) {
        exclusively(out, () -> downNow(out));
    }

    /**
     * Runs a start or a stop holding {@code .kshift/fleet.lock}: two at once (an {@code up} in one terminal, a
     * {@code demo} starting the fleet in another) both started every member, and the one that lost the port wrote
     * the last PID file, so {@code down} no longer knew the member that ran.
     */
    private void exclusively(java.io.PrintStream out, Runnable action) {
        java.nio.file.Path file = layout.workDir().resolve("fleet.lock");
        try {
            java.nio.file.Files.createDirectories(layout.workDir());
            try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.WRITE)) {
                java.nio.channels.FileLock lock = channel.tryLock();
                if (lock == null) {
                    out.println("waiting for another ./kshift up or down in " + layout.workDir() + " to finish");
                    lock = channel.lock();
                }
                try (java.nio.channels.FileLock held = lock) {
                    action.run();
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot lock " + file + ": " + e.getMessage(), e);
        }
    }

    private void upNow(java.io.PrintStream out) {
        checkBuilt();
        layout.save();
        LocalCredentials.issuer(layout);
        LocalCredentials.writeAdminToken(layout);
        LocalCredentials.fleetKeys(layout);
        if (LocalKafka.names(layout).stream().anyMatch(b -> ManagedProcess.running(layout, b).isEmpty())) {
            out.println("starting kafka          " + layout.bootstrapServers());
            LocalKafka.start(layout);
        }
        LocalKafka.awaitReadyAndCreateTopics(layout, Duration.ofSeconds(90));
        prepareProxies(out);
        List<Member> started = new ArrayList<>();
        for (Member m : services()) {
            if (ManagedProcess.running(layout, m.name()).isEmpty()) {
                out.printf("starting %-15s %s%s%n", m.name(), m.readiness(), m.name().startsWith("proxy-")
                        ? "  (" + proxyRuntime(m) + ")" : "");
                ManagedProcess.start(layout, m.name(), m.command());
                started.add(m);
            }
        }
        for (Member m : started) {
            awaitReady(m, Duration.ofSeconds(120));
        }
        List<Long> applyPath = started.stream()
                .filter(m -> m.name().equals("config-service") || m.name().startsWith("validator"))
                .flatMap(m -> ManagedProcess.running(layout, m.name()).stream()).map(ProcessHandle::pid).toList();
        if (!applyPath.isEmpty()) {
            out.println(ControlPlaneWarmUp.run(layout, new ProcessCpu(applyPath)).describe());
        }
    }

    private void downNow(java.io.PrintStream out) {
        List<String> names = new ArrayList<>(services().stream().map(Member::name).toList());
        java.util.Collections.reverse(names);
        names.addAll(LocalKafka.names(layout));
        for (String name : names) {
            if (ManagedProcess.stop(layout, name, Duration.ofSeconds(15))) {
                out.println("stopped " + name);
            }
        }
    }

    public List<MemberStatus> status() {
        List<MemberStatus> out = new ArrayList<>();
        List<String> brokers = LocalKafka.names(layout);
        for (int i = 0; i < brokers.size(); i++) {
            out.add(new MemberStatus(brokers.get(i), ManagedProcess.running(layout, brokers.get(i))
                    .map(ProcessHandle::pid), layout.host() + ":" + layout.kafkaPorts().get(i)));
        }
        for (Member m : services()) {
            out.add(new MemberStatus(m.name(), ManagedProcess.running(layout, m.name()).map(ProcessHandle::pid),
                    m.readiness().replace("/q/health/ready", "")));
        }
        return out;
    }

    public boolean running() {
        return status().stream().allMatch(s -> s.pid().isPresent());
    }

    /** Whether any part of the fleet runs (a member, a broker). */
    public boolean anyRunning() {
        return status().stream().anyMatch(s -> s.pid().isPresent());
    }

    private void checkBuilt() {
        for (String module : List.of("validator-service", "config-service", "proxy-service", "telemetry-service")) {
            if (!Files.exists(layout.app(module))) {
                throw new IllegalStateException(layout.app(module) + " is missing: build first (./mvnw package -DskipTests)");
            }
        }
        if (!Files.isDirectory(layout.lib())) {
            throw new IllegalStateException(layout.lib() + " is missing: build first (./mvnw package -DskipTests)");
        }
    }

    /** Waits until a member answers ready; fails if its process exits first. */
    public void awaitReady(Member m, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            // alive(), not running(): right after a start the command line may still be the launcher's helper's,
            // and a member starting would be called dead (seen once in CI, restarting a validator).
            if (!ManagedProcess.alive(layout, m.name())) {
                throw new IllegalStateException(m.name() + " exited; see " + layout.logs().resolve(m.name() + ".log"));
            }
            if (ready(m.readiness())) {
                return;
            }
            sleep(250);
        }
        throw new IllegalStateException(m.name() + " not ready after " + timeout + "; see "
                + layout.logs().resolve(m.name() + ".log"));
    }

    static boolean ready(String address) {
        try {
            if (address.startsWith("tcp://")) {
                URI uri = URI.create(address);
                try (var s = new java.net.Socket()) {
                    s.connect(new java.net.InetSocketAddress(uri.getHost(), uri.getPort()), 1000);
                    return true;
                }
            }
            HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create(address))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
