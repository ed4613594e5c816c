package io.kshift.local;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Istio's "TCP Traffic Shifting" task, run against a fleet with the task's own files: all traffic to v1, then
 * 80/20, then a broken change that kshift rejects; once with the Istio API and once with the Gateway API. Prints
 * what an operator would see and returns the counts per step.
 */
public final class DemoScenario {
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss zzz yyyy", Locale.US);

    /**
     * One step's outcome: the HTTP status of its change (0 for none), where the connections landed, and whether that
     * is what the step is for ({@code expected} says what; the demo exits 1 when a step is not).
     */
    public record Step(String name, int status, Map<String, Integer> counts, String expected, boolean ok) {
        /** Everything (and nothing else) went to {@code version}. */
        static Step only(String name, Map<String, Integer> counts, String version, int n) {
            return new Step(name, 0, counts, "all " + n + " to " + version,
                    counts.equals(Map.of(version, n)));
        }

        /** Only {@code a} and {@code b}, {@code b} taking between {@code min} and {@code max} of the {@code n}. */
        static Step split(String name, Map<String, Integer> counts, String a, String b, int n, int min, int max) {
            int share = counts.getOrDefault(b, 0);
            return new Step(name, 0, counts, a + " and " + b + ", " + b + " " + min + "-" + max + " of " + n,
                    counts.keySet().equals(java.util.Set.of(a, b)) && counts.get(a) + share == n
                            && share >= min && share <= max);
        }

        /** A count of {@code what} in {@code [min, max]}. */
        static Step count(String name, String what, int seen, int min, int max) {
            return new Step(name, 0, Map.of(what, seen), what + " " + (min == max ? min : min + "-" + max),
                    seen >= min && seen <= max);
        }
    }

    private final FleetLayout layout;
    private final int gatewayPort;
    private final PrintStream out;
    private final KshiftClient client;
    private final ChangeStep changes;
    private final TelemetryView telemetry;
    private final List<Step> steps = new ArrayList<>();

    public DemoScenario(FleetLayout layout, int gatewayPort, PrintStream out) {
        this.layout = layout;
        this.gatewayPort = gatewayPort;
        this.out = out;
        this.client = new KshiftClient(layout);
        this.changes = new ChangeStep(layout, client, out);
        this.telemetry = new TelemetryView(layout, client);
    }

    public List<Step> run() {
        banner("Clean slate: remove either flavour's routes left from an earlier run");
        changes.run("delete", "samples/tcp-echo/tcp-echo-all-v1.yaml", sample("tcp-echo-all-v1.yaml"), false,
                ChangeStep.ANY_VERDICT);
        changes.run("delete", "samples/tcp-echo/gateway-api/tcp-echo-all-v1.yaml",
                sample("gateway-api/tcp-echo-all-v1.yaml"), false, ChangeStep.ANY_VERDICT);

        banner("Register the tcp-echo backends (the local stand-in for tcp-echo-services.yaml)");
        change("apply", "tcp-echo-services.yaml", false);

        banner("Istio API: all TCP traffic to v1");
        change("apply", "tcp-echo-all-v1.yaml", true);
        steps.add(Step.only("istio all-v1", traffic("istio all-v1", 20, 20), "one", 20));
        banner("Istio API: 20% of new connections to v2");
        change("apply", "tcp-echo-20-v2.yaml", true);
        steps.add(Step.split("istio 80/20", traffic("istio 80/20", 100, 20), "one", "two", 100, 10, 30));
        banner("A broken change: subset v3 is defined by no DestinationRule (Istio would accept it and 503)");
        int status = changes.run("apply", "samples/tcp-echo/tcp-echo-undefined-subset.yaml",
                sample("tcp-echo-undefined-subset.yaml"), false, java.util.Set.of(422));
        steps.add(new Step("rejected v3", status, Map.of(), "HTTP 422", status == 422));
        steps.add(Step.split("istio 80/20 after rejection", traffic("istio 80/20 after rejection", 100, 0), "one",
                "two", 100, 10, 30));
        change("delete", "tcp-echo-all-v1.yaml", true);

        banner("Gateway API: all TCP traffic to tcp-echo-v1");
        change("apply", "gateway-api/tcp-echo-all-v1.yaml", true);
        steps.add(Step.only("gateway-api all-v1", traffic("gateway-api all-v1", 20, 20), "one", 20));
        banner("Gateway API: 80/20 between tcp-echo-v1 and tcp-echo-v2");
        change("apply", "gateway-api/tcp-echo-20-v2.yaml", true);
        steps.add(Step.split("gateway-api 80/20", traffic("gateway-api 80/20", 100, 20), "one", "two", 100, 10, 30));
        change("delete", "gateway-api/tcp-echo-all-v1.yaml", true);
        return List.copyOf(steps);
    }

    private void banner(String title) {
        out.println();
        out.println("== " + title);
    }

    private int change(String verb, String file, boolean sync) {
        return changes.run(verb, "samples/tcp-echo/" + file, sample(file), sync);
    }

    private Map<String, Integer> traffic(String name, int connections, int show) {
        out.printf("$ for i in $(seq %d); do (date; sleep 1) | nc -q1 %s %d; done%n", connections, layout.host(),
                gatewayPort);
        List<String> answers = Traffic.connections(layout.host(), gatewayPort, connections,
                i -> ZonedDateTime.now().format(DATE));
        answers.stream().limit(show).forEach(a -> out.println("  " + a));
        if (show < connections && show > 0) {
            out.println("  ... (" + (connections - show) + " more)");
        }
        Map<String, Integer> counts = Traffic.countByVersion(answers);
        out.printf("  %s: %s of %d connections%n", name, counts, connections);
        out.println("  per proxy node: " + perNode());
        out.println("  " + telemetry.latest("default", "tcp-echo"));
        return counts;
    }

    private String perNode() {
        List<String> parts = new ArrayList<>();
        for (JsonNode node : client.nodes()) {
            StringBuilder sb = new StringBuilder(node.path("status").path("nodeId").asText()).append(" {");
            for (JsonNode route : node.path("routes")) {
                for (JsonNode t : route.path("targets")) {
                    sb.append(t.path("version").asText()).append('=').append(t.path("connections").asLong()).append(' ');
                }
            }
            parts.add(sb.toString().trim() + "}");
        }
        return String.join("  ", parts);
    }

    /** A sample file with the fleet's ports in place of the task's (the same text for the default ports). */
    byte[] sample(String file) {
        return Samples.read(layout, "samples/tcp-echo", file, Map.of("31400", String.valueOf(gatewayPort),
                "tcp: 9001", "tcp: " + layout.echoV1Port(), "tcp: 9002", "tcp: " + layout.echoV2Port()));
    }
}
