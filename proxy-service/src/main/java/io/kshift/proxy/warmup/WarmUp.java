package io.kshift.proxy.warmup;

import io.kshift.proxy.http.HttpProxy;
import io.kshift.proxy.routing.RouteTable;
import io.kshift.proxy.routing.TableSource;
import io.kshift.proxy.tcp.ListenerConnections;
import io.kshift.proxy.tcp.TcpProxy;
import io.kshift.proxy.tls.ServerTls;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Runs real traffic through this node's own data path before it reports ready, so the JIT has compiled the
 * TCP relay and the HTTP exchange, cleartext and over TLS ({@link WarmUpHttps}), by the time a client's first
 * connection arrives (a cold JVM runs them at a fraction of their speed for tens of seconds). Backends, listeners
 * ({@link WarmUpListeners}) and load are all on loopback ports of their
 * own, the route table is a private one ({@link WarmUpMesh}, rebuilt each second at first) whose stats go to a
 * private catalogue and registry: nothing of it reaches the node's route table, its listeners, its telemetry or
 * Kafka. It does use the node's upstream connection pools and body budget, briefly, and leaves up to
 * {@link WarmUpMesh#POOL_SETTINGS} pool-settings entries in the node's pool map, empty once the warm-up's
 * backends close (the pools' connections go with them). It runs at least the configured
 * counts, then on until the JIT has gone quiet, never past its deadline; {@code kshift.proxy.warmup.requests=0}
 * and {@code ...connections=0} turn it off.
 */
@ApplicationScoped
public class WarmUp {
    private static final Logger LOG = Logger.getLogger(WarmUp.class);
    static final int TCP_PORT = 40001;
    static final int HTTP_PORT = 40002;
    /** The warm-up table's second TCP server (every other table): one destination, all traffic to v1. */
    static final int SINGLE_PORT = TCP_PORT + 10;

    private final Vertx vertx;
    /** The node's: the warm-up's stats go to private registries of its kind ({@link WarmUpRegistry}). */
    private final io.micrometer.core.instrument.MeterRegistry registry;
    /** Its listeners, made as the node's are. */
    private final WarmUpListeners made;
    private final int requests;
    private final int connections;
    private final int concurrency;
    private final Duration timeout;
    /** Rounds of synthetic table builds before the traffic (see {@link WarmUpMesh#builds}). */
    @ConfigProperty(name = "kshift.proxy.warmup.builds", defaultValue = "1")
    int buildRounds;
    /**
     * The node's reporter: each table's stats are reported as the node's are, built and encoded, never sent
     * ({@link io.kshift.proxy.telemetry.TelemetryReporter#rehearse}).
     */
    @jakarta.inject.Inject
    io.kshift.proxy.telemetry.TelemetryReporter reporter;
    /** The stats of the table the listeners serve; written by the warm-up thread only. */
    private io.kshift.proxy.telemetry.Telemetry tableStats;
    /** Reports built from them; the warm-up thread's too. */
    private int reportsRehearsed;
    /** The node's table builder: the synthetic builds take the path real snapshots take, scope and keys included. */
    @jakarta.inject.Inject
    io.kshift.proxy.config.RouteTableFactory factory;
    private final CompletableFuture<Report> done = new CompletableFuture<>();
    /** Tables the warm-up's listeners have run; written by the warm-up thread only. */
    private int tablesRun;

    /**
     * What the warm-up did: answers per version (HTTP's over TLS too), of them those over TLS per protocol
     * ({@code HTTP_1_1}, {@code HTTP_2}), errors, how long it took, how many tables it ran (each has pickers of
     * its own, so each may leave its weighted cycle part-way), and its awkward clients' slow reads, streams and
     * requests abandoned, and of those the requests (picked for a version never seen).
     */
    public record Report(java.util.Map<String, Integer> tcpAnswers, java.util.Map<String, Integer> httpAnswers,
                         java.util.Map<String, Integer> httpsAnswers, int errors, long millis, int tables,
                         int slowReads, int abandonedStreams, int abandonedRequests) {
        /** Streams and requests the awkward clients left. */
        public int abandoned() {
            return abandonedStreams + abandonedRequests;
        }
    }

    public WarmUp(Vertx vertx, TcpProxy tcp, HttpProxy http, io.kshift.proxy.http.HttpListenerSettings httpSettings,
                  io.micrometer.core.instrument.MeterRegistry registry, io.kshift.proxy.tcp.ListenerManager listeners,
                  @ConfigProperty(name = "kshift.proxy.warmup.requests", defaultValue = "20000") int requests,
                  @ConfigProperty(name = "kshift.proxy.warmup.connections", defaultValue = "5000") int connections,
                  @ConfigProperty(name = "kshift.proxy.warmup.concurrency", defaultValue = "16") int concurrency,
                  @ConfigProperty(name = "kshift.proxy.warmup.timeout", defaultValue = "45s") Duration timeout) {
        this.vertx = vertx;
        this.registry = registry;
        this.made = new WarmUpListeners(vertx, tcp, http, httpSettings, listeners);
        this.requests = requests;
        this.connections = connections;
        this.concurrency = Math.max(1, concurrency);
        this.timeout = timeout;
    }

    void start(@Observes StartupEvent event) {
        if (requests <= 0 && connections <= 0) {
            done.complete(new Report(java.util.Map.of(), java.util.Map.of(), java.util.Map.of(), 0, 0, 0, 0, 0, 0));
            return;
        }
        Thread t = new Thread(this::run, "kshift-warmup");
        t.setDaemon(true);
        t.start();
    }

    /** True once the warm-up has finished (or was off, or failed: it never holds a node back for good). */
    public boolean finished() {
        return done.isDone();
    }

    /** What the last warm-up did; waits for it. */
    public Report report(Duration wait) throws Exception {
        return done.get(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void run() {
        long start = System.nanoTime();
        List<Runnable> closers = new ArrayList<>();
        WarmUpLoad load = new WarmUpLoad(connections, requests);
        try {
            WarmUpHttps.loadKeyManagerClasses();
            int[] echo = new int[2];
            int[] web = new int[2];
            for (int v = 0; v < 2; v++) {
                String version = "v" + (v + 1);
                NetServer e = await(vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0))
                        .connectHandler(s -> s.handler(b -> WarmUpLoad.echo(s, version, b))
                                // Reset by the proxy when an awkward client leaves mid-stream: expected here.
                                .exceptionHandler(gone -> { }))
                        .listen());
                closers.add(e::close);
                echo[v] = e.actualPort();
                HttpServer w = await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                        .requestHandler(r -> WarmUpTraffic.answer(r, version))
                        .listen());
                closers.add(w::close);
                web[v] = w.actualPort();
            }
            long builds = System.nanoTime();
            int built = 0;
            try {
                built = WarmUpMesh.builds(buildRounds, factory::build, stats());
            } catch (Exception e) {
                // The data-path warm-up below matters more than the builds: a build that fails must not skip it.
                LOG.warnf("warm-up: synthetic table builds failed (the data path is warmed still): %s", e.toString());
            }
            if (built > 0) {
                LOG.infof("warm-up: built %d tables of a 900-resource synthetic mesh from its snapshots in %d ms",
                        built, (System.nanoTime() - builds) / 1_000_000);
            }
            tableStats = stats();
            TableSource tables = new TableSource(WarmUpMesh.table(echo, web, 0, tableStats));
            tablesRun = 1;
            ListenerConnections limits = new ListenerConnections(new SimpleMeterRegistry(), 0);
            int tcpPort = made.tcp(tables, limits, closers, TCP_PORT);
            int httpPort = made.http(tables, limits, closers, null, HTTP_PORT);
            WarmUpHttps https = null;
            if (requests > 0) {
                try {
                    https = WarmUpHttps.open(vertx, made, tables, limits, closers);
                } catch (Exception e) {
                    // TCP and cleartext HTTP matter more: a TLS set-up that fails must not skip them.
                    LOG.warnf("warm-up: no HTTPS listener (the rest is warmed still): %s", e.toString());
                }
            }

            NetClient netClient = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true));
            closers.add(netClient::close);
            HttpClient httpClient = vertx.createHttpClient(new HttpClientOptions().setTcpNoDelay(true)
                    .setKeepAlive(true), new PoolOptions().setHttp1MaxSize(concurrency));
            closers.add(httpClient::close);
            // HTTP/2 too (h2c, prior knowledge): its first request anywhere in the JVM, even a probe of the admin
            // port, loads classes that overturn what the JIT assumed of the HTTP/1 path and recompiles all of it.
            // Half its connections start as HTTP/1 upgrade requests, as Java's own HTTP client sends them.
            HttpClient h2Client = vertx.createHttpClient(new HttpClientOptions().setTcpNoDelay(true)
                    .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false),
                    new PoolOptions().setHttp2MaxSize(2));
            closers.add(h2Client::close);
            HttpClient h2Upgrade = vertx.createHttpClient(new HttpClientOptions().setTcpNoDelay(true)
                    .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(true),
                    new PoolOptions().setHttp2MaxSize(2));
            closers.add(h2Upgrade::close);
            List<CompletableFuture<Void>> workers = new ArrayList<>();
            for (int i = 0; i < concurrency; i++) {
                if (connections > 0) {
                    workers.add(i < 2 ? load.bulk(netClient, tcpPort)
                            : load.connections(netClient, tcpPort));
                }
                if (requests > 0) {
                    HttpClient client = i % 8 == 3 ? h2Client : i % 8 == 7 ? h2Upgrade : httpClient;
                    workers.add(load.requests(client, httpPort, null));
                }
            }
            if (connections > 0) {
                workers.add(WarmUpAwkwardClients.start(load, tcpPort, requests > 0 ? httpPort : 0));
            }
            if (https != null) { // one worker per protocol, whatever the concurrency
                workers.add(load.requests(https.http1(), https.port(), WarmUpHttps.NAME));
                workers.add(load.requests(https.h2(), https.port(), WarmUpHttps.NAME));
            }
            ServerTls tls = https == null ? null : https.tls();
            untilCompiled(load, start, () -> renew(tables, limits, echo, web, tls), this::rehearse);
            load.stop = true;
            WarmUpLoad.awaitWorkers(workers, Duration.ofSeconds(10));
        } catch (Exception e) {
            LOG.warnf("warm-up failed; the node starts cold: %s", e.toString());
        } finally {
            load.stop = true;
            closers.forEach(c -> {
                try {
                    c.run();
                } catch (RuntimeException ignored) {
                    // Closing a loopback server of our own: nothing to do if it is already gone.
                }
            });
            Report report = new Report(java.util.Map.copyOf(load.tcp), java.util.Map.copyOf(load.http),
                    java.util.Map.copyOf(load.https), load.errors.get(), (System.nanoTime() - start) / 1_000_000,
                    tablesRun, load.slowReads.get(), load.abandonedStreams.get(), load.abandonedRequests.get());
            LOG.infof("warm-up: %d TCP connections (%d read slowly), %d HTTP requests (%d over TLS), %d streams and"
                    + " requests abandoned, through the data path in %d ms (%d errors); %d telemetry reports built,"
                    + " none sent", sum(report.tcpAnswers()), report.slowReads(), sum(report.httpAnswers()),
                    sum(report.httpsAnswers()), report.abandoned(), report.millis(), report.errors(), reportsRehearsed);
            done.complete(report);
        }
    }

    /**
     * Puts a freshly built table under the warm-up's listeners, as a new generation reaches the node's: what real
     * traffic does once per destination (its first stats, its pool reference, a new connection pool and the
     * connections in it) the warm-up then does throughout, while the JIT is still profiling. Done once only, the
     * profile said "never", the compiled code left it out, and the first real request threw that code away.
     */
    private void renew(TableSource tables, ListenerConnections limits, int[] echo, int[] web, ServerTls tls) {
        try {
            RouteTable current = tables.get();
            io.kshift.proxy.telemetry.Telemetry next = stats();
            if (tables.compareAndSet(current, WarmUpMesh.table(echo, web, tablesRun, next))) {
                tablesRun++;
                tableStats = next;
            }
            // And as a new generation's gateways do, a listener of each kind bound, connected to once and closed:
            // the bind code is the connect code (Netty's bootstrap, channel and pipeline set-up), and server
            // channels seen there only when the first real config arrived sent the compiled connect path back to
            // recompile; a listener's first connection is its server socket's first read (WarmUpListeners.knock).
            // They serve the table's second ports, whose pickers the counted load never uses: the TCP one routes
            // to one destination, and in tables without those ports the knocks find no route.
            List<Runnable> bound = new ArrayList<>();
            try {
                WarmUpListeners.knock(made.tcp(tables, limits, bound, SINGLE_PORT), "warm-up\n", "\n");
                WarmUpListeners.knock(made.http(tables, limits, bound, null, HTTP_PORT + 10),
                        "GET /warm-up/0 HTTP/1.1\r\nHost: warm-http\r\nConnection: close\r\n\r\n", "warm hello\n");
                if (tls != null) {
                    made.http(tables, limits, bound, tls, HTTP_PORT);
                }
            } finally {
                bound.forEach(Runnable::run);
            }
        } catch (Exception e) {
            LOG.debugf("warm-up: a table rebuild or listener bind failed (%s); the current table stays", e);
        }
    }

    /**
     * The live table's stats reported as the node's reporter reports its own each second, built and encoded, never
     * sent: a report flips the stats' histogram recorders to their other phase, a branch the data path then takes
     * under the load too (never reported, the warm-up's compiled code knew one phase, and the first real report sent
     * it back to the interpreter).
     */
    private void rehearse() {
        try {
            reportsRehearsed += reporter.rehearse(tableStats);
        } catch (RuntimeException e) {
            LOG.debugf("warm-up: a telemetry rehearsal failed (%s)", e);
        }
    }

    /** A fresh catalogue and registry each round: every round's first requests make their stats and meters. */
    private io.kshift.proxy.telemetry.Telemetry stats() {
        return new io.kshift.proxy.telemetry.Telemetry(WarmUpRegistry.like(registry));
    }

    /**
     * Runs the load past its minimum counts until the JIT goes quiet: the compiler works through a queue, and a
     * hot method is fast only once its optimised version is installed, seconds after it became hot. {@code renew}
     * runs every second until the minimum counts are done: the profile is taken early, and later rounds would
     * only keep the compiler busy. {@code report} runs every second throughout, half-way between renewals.
     */
    private void untilCompiled(WarmUpLoad load, long start, Runnable renew, Runnable report)
            throws InterruptedException {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        boolean measurable = jit != null && jit.isCompilationTimeMonitoringSupported();
        long deadline = start + timeout.toNanos();
        long compiled = measurable ? jit.getTotalCompilationTime() : 0;
        int quiet = 0;
        int ticks = 0;
        while (!load.stop && System.nanoTime() < deadline) {
            Thread.sleep(500);
            if (++ticks % 2 == 1) {
                report.run(); // half-way through each table's second, as long as the load runs
            } else if (!load.minimumDone()) {
                renew.run();
            }
            long now = measurable ? jit.getTotalCompilationTime() : compiled;
            quiet = now - compiled < 25 ? quiet + 1 : 0;
            compiled = now;
            if (load.minimumDone() && (quiet >= 2 || !measurable)) {
                return;
            }
        }
        if (!load.stop) {
            LOG.warnf("warm-up stopped at its deadline (%s) with the JIT still compiling", timeout);
        }
    }

    private static int sum(java.util.Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    private static <T> T await(Future<T> future) throws Exception {
        return WarmUpListeners.await(future);
    }
}
