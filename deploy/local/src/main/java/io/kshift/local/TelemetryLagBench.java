package io.kshift.local;

import io.kshift.model.event.TelemetryWindow;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Telemetry lag, measured: a burst of tcp-echo connections through the fleet, then the time until the 10 s window
 * holding it is on {@code kshift.telemetry} (published once, when it closes). The goal is window + 2 s; the figure
 * depends on where in its window the burst falls, so several trials are run and each is printed.
 */
public final class TelemetryLagBench {
    static final String SERVICE_KEY = "default/tcp-echo.default.svc.cluster.local";
    private final FleetLayout layout;
    private final int gatewayPort;
    private final PrintStream out;

    public TelemetryLagBench(FleetLayout layout, int gatewayPort, PrintStream out) {
        this.layout = layout;
        this.gatewayPort = gatewayPort;
        this.out = out;
    }

    /** The lag of each trial. */
    public List<Duration> run(int trials) {
        KshiftClient client = new KshiftClient(layout);
        DemoScenario samples = new DemoScenario(layout, gatewayPort, new PrintStream(PrintStream.nullOutputStream()));
        client.delete(samples.sample("gateway-api/tcp-echo-all-v1.yaml"));
        for (String f : List.of("tcp-echo-services.yaml", "tcp-echo-all-v1.yaml", "tcp-echo-20-v2.yaml")) {
            KshiftClient.Answer a = client.apply(samples.sample(f));
            if (a.status() != 200) {
                throw new IllegalStateException(f + ": " + a.describe());
            }
            client.awaitSynced(a.body().path("generation").asLong(), Duration.ofSeconds(30));
        }
        List<Duration> lags = new ArrayList<>();
        try (TelemetryWindows windows = TelemetryWindows.fromNow(layout)) {
            out.printf("telemetry lag: traffic -> its 10 s window on kshift.telemetry (goal <= 10 s window + 2 s)%n");
            // A freshly started aggregator first joins its group and restores its stores: warm up, uncounted.
            Traffic.connections(layout.host(), gatewayPort, 10, i -> "warm-up");
            Duration warmUp = awaitWindowHolding(windows, Instant.now());
            out.printf("  warm-up: %.2f s (not counted)%n", warmUp.toMillis() / 1000.0);
            for (int trial = 1; trial <= trials; trial++) {
                Traffic.connections(layout.host(), gatewayPort, 10, i -> "bench");
                Instant sent = Instant.now();
                Duration lag = awaitWindowHolding(windows, sent);
                lags.add(lag);
                out.printf("  trial %d: %5.2f s after the traffic (window on the topic at %s)%n", trial,
                        lag.toMillis() / 1000.0, sent.plus(lag));
            }
        }
        client.delete(samples.sample("tcp-echo-all-v1.yaml"));
        List<Duration> sorted = lags.stream().sorted().toList();
        Duration worst = sorted.get(sorted.size() - 1);
        out.printf("  median %.2f s, worst %.2f s: %s%n", sorted.get(sorted.size() / 2).toMillis() / 1000.0,
                worst.toMillis() / 1000.0, worst.compareTo(Duration.ofSeconds(12)) <= 0 ? "goal met" : "goal missed");
        return lags;
    }

    private static Duration awaitWindowHolding(TelemetryWindows windows, Instant sent) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            for (TelemetryWindow w : windows.poll(Duration.ofMillis(50))) {
                if ((w.namespace() + "/" + w.service()).equals(SERVICE_KEY) && w.window().equals("10s")
                        && !w.end().isBefore(sent) && !w.start().isAfter(sent)) {
                    return Duration.between(sent, Instant.now());
                }
            }
        }
        throw new IllegalStateException("no telemetry window within 60 s: is telemetry-service running?");
    }
}
