package io.kshift.proxy.telemetry;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * The running counts of one {@link TrafficKey}, updated on the data path without locks or allocation (adders,
 * HdrHistogram recorders), read by the reporter (interval deltas) and by Prometheus (cumulative totals). Made when
 * traffic first reaches its key and retired by the catalogue after a long idleness, so a node's telemetry costs
 * what its traffic touches, not what its config names. Histograms are compact: one per protocol (connection
 * durations for TCP, request latencies for HTTP), one significant digit (within about 5 %), and the reporter
 * swaps them with a recycled one instead of allocating each interval.
 */
public final class TrafficStats {
    static final long MAX_MILLIS = 3_600_000L;
    static final int DIGITS = 1;
    /** Every flag an answer may carry ({@code ResponseFlags}): one missing here was dropped from its count. */
    private static final String[] FLAGS = {"NR", "FI", "DI", "UO", "UF", "UT", "UH", "UR", "OM", "DC", "NC", "BL",
            "SI", "IH", "URX"};

    final TrafficKey key;
    final Counter connectionsOpened = new Counter();
    final Counter connectionsClosed = new Counter();
    final AtomicLong connectionsActive = new AtomicLong();
    final Counter bytesFromClient = new Counter();
    final Counter bytesFromUpstream = new Counter();
    final Counter connectFailures = new Counter();
    final AtomicReferenceArray<Counter> byStatus = new AtomicReferenceArray<>(600);
    final Counter[] byFlag = new Counter[FLAGS.length];
    /** gRPC answers by {@code grpc-status} (0 to 16; anything else counts as 2, UNKNOWN, as gRPC reads it). */
    final AtomicReferenceArray<Counter> byGrpcStatus = new AtomicReferenceArray<>(17);
    /** TCP only (null for HTTP keys). */
    final Recorder connectionDuration;
    /** HTTP only (null for TCP keys). */
    final Recorder requestLatency;
    /** Reporter-owned: the histograms it swaps in, the intervals in a row with nothing to report. */
    org.HdrHistogram.Histogram recycledDurations;
    org.HdrHistogram.Histogram recycledLatencies;
    int idleReports;
    /** The response codes whose Prometheus counter is registered. */
    final java.util.Set<Integer> registeredCodes = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The Prometheus meters registered for this key, removed with it. */
    final java.util.List<io.micrometer.core.instrument.Meter> meters = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Prometheus' cumulative latency histogram; the recorders above are drained every interval. */
    private final java.util.function.LongConsumer latencyTotal;
    private final Runnable onNewStatus;

    TrafficStats(TrafficKey key, Runnable onNewStatus, java.util.function.LongConsumer latencyTotal) {
        this.key = key;
        this.onNewStatus = onNewStatus;
        this.latencyTotal = latencyTotal;
        boolean tcp = key.connectionOriented();
        this.connectionDuration = tcp ? new Recorder(MAX_MILLIS, DIGITS) : null;
        this.requestLatency = tcp ? null : new Recorder(MAX_MILLIS, DIGITS);
        for (int i = 0; i < FLAGS.length; i++) {
            byFlag[i] = new Counter();
        }
    }

    public TrafficKey key() {
        return key;
    }

    /**
     * Counts a connection in, unless the stats are being retired ({@link #tryRetire}): then false, and the caller
     * takes fresh stats ({@link StatsRef#open}). A connection keeps the stats it opened on to its close.
     */
    boolean connectionOpened() {
        if (connectionsActive.incrementAndGet() < 0) {
            connectionsActive.decrementAndGet();
            return false;
        }
        connectionsOpened.increment();
        return true;
    }

    /**
     * Retires these stats if no connection is open on them, atomically with the connections opening on them: one that
     * opens after this sees them retired, and none that opened before can close on other stats.
     */
    boolean tryRetire() {
        return connectionsActive.compareAndSet(0, RETIRING);
    }

    /** Retired (or being retired) by the catalogue: data-path handles look the key up afresh. */
    boolean retired() {
        return connectionsActive.get() < 0;
    }

    /** Below any count of connections, however many open on retired stats meanwhile. */
    private static final long RETIRING = Long.MIN_VALUE / 2;

    public void connectionClosed(long millis) {
        connectionsClosed.increment();
        connectionsActive.decrementAndGet();
        if (connectionDuration != null) {
            connectionDuration.recordValue(Math.min(Math.max(0, millis), MAX_MILLIS));
        }
    }

    /** Why a connect failed, as Envoy's stats split them: refused, timeout, unreachable, dns, other. */
    static final String[] CONNECT_REASONS = {"refused", "timeout", "unreachable", "dns", "other"};
    final Counter[] byReason = {new Counter(), new Counter(), new Counter(), new Counter(), new Counter()};

    public void connectFailure(Throwable cause) {
        connectFailures.increment();
        byReason[reason(cause)].increment();
    }

    /** How a failed upstream connect is reported: {@code refused}, {@code timeout}, {@code unreachable}, ... */
    public static String connectReason(Throwable cause) {
        return CONNECT_REASONS[reason(cause)];
    }

    static int reason(Throwable cause) {
        Throwable c = cause;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        String name = c.getClass().getSimpleName();
        String message = String.valueOf(c.getMessage()).toLowerCase(java.util.Locale.ROOT);
        if (name.contains("Timeout") || message.contains("timed out")) {
            return 1;
        }
        if (name.contains("UnknownHost") || message.contains("unknown host")) {
            return 3;
        }
        if (name.contains("NoRouteToHost") || message.contains("unreachable")) {
            return 2;
        }
        if (name.contains("Connect") || message.contains("refused")) {
            return 0;
        }
        return 4;
    }

    public LongAdder bytesFromClient() {
        return bytesFromClient;
    }

    public LongAdder bytesFromUpstream() {
        return bytesFromUpstream;
    }

    /** One HTTP request answered with {@code status}; {@code flags} as in {@code x-kshift-response-flags}, or null. */
    public void request(int status, String flags, long millis) {
        int code = status >= 100 && status < 600 ? status : 0;
        Counter adder = byStatus.get(code);
        if (adder == null) {
            if (byStatus.compareAndSet(code, null, new Counter())) {
                onNewStatus.run(); // once per code: the thread that installed its counter registers the meter
            }
            adder = byStatus.get(code);
        }
        adder.increment();
        if (flags != null) {
            for (int i = 0; i < FLAGS.length; i++) {
                if (carries(flags, FLAGS[i])) {
                    byFlag[i].increment();
                }
            }
        }
        long ms = Math.min(Math.max(0, millis), MAX_MILLIS);
        if (requestLatency != null) {
            requestLatency.recordValue(ms);
        }
        latencyTotal.accept(ms);
    }

    /** Whether a comma-separated flag list holds {@code flag} as one of its entries (not inside another). */
    static boolean carries(String flags, String flag) {
        for (int at = flags.indexOf(flag); at >= 0; at = flags.indexOf(flag, at + 1)) {
            int end = at + flag.length();
            if ((at == 0 || flags.charAt(at - 1) == ',') && (end == flags.length() || flags.charAt(end) == ',')) {
                return true;
            }
        }
        return false;
    }

    /**
     * A TCP connection the proxy closed unserved, with Envoy's flag for why: {@code UO} (the destination's
     * {@code maxConnections} reached) or {@code UF} (no endpoint accepted a connection). HTTP answers carry theirs in
     * {@link #request}.
     */
    public void unserved(String flag) {
        for (int i = 0; i < FLAGS.length; i++) {
            if (FLAGS[i].equals(flag)) {
                byFlag[i].increment();
                return;
            }
        }
        throw new IllegalArgumentException("not a response flag: " + flag);
    }

    /** One gRPC answer's {@code grpc-status}, besides its HTTP status (which {@link #request} counts). */
    public void grpcStatus(int code) {
        int c = code >= 0 && code <= 16 ? code : 2;
        Counter adder = byGrpcStatus.get(c);
        if (adder == null) {
            byGrpcStatus.compareAndSet(c, null, new Counter());
            adder = byGrpcStatus.get(c);
        }
        adder.increment();
    }

    static String[] flagNames() {
        return FLAGS.clone();
    }

    /** TCP connections open now to this key's destination, for the node-wide drain at shutdown. */
    public long activeConnections() {
        return Math.max(0, connectionsActive.get()); // retired stats hold a sentinel far below zero
    }
}
