package io.kshift.local;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The HTTP tasks against a running fleet, with the samples' own YAML: Istio's mirroring task on the mesh port
 * (both backends' access logs shown), and the traffic-management tutorial through the HTTP gateway (header
 * routing, canary weights, faults, retries). Prints what an operator would see; returns the counts per step.
 */
public final class HttpDemo {
    private final FleetLayout layout;
    private final int gatewayPort;
    private final PrintStream out;
    private final KshiftClient client;
    private final ChangeStep changes;
    private final TelemetryView telemetry;
    private final List<DemoScenario.Step> steps = new ArrayList<>();

    public HttpDemo(FleetLayout layout, int gatewayPort, PrintStream out) {
        this.layout = layout;
        this.gatewayPort = gatewayPort;
        this.out = out;
        this.client = new KshiftClient(layout);
        this.changes = new ChangeStep(layout, client, out);
        this.telemetry = new TelemetryView(layout, client);
    }

    public List<DemoScenario.Step> mirror() {
        banner("Register httpbin v1 and v2");
        change("apply", "httpbin-services.yaml", true);
        banner("Mirroring task: all traffic to v1 (clients call http://httpbin:8000 through a node's mesh port)");
        change("apply", "mirror/httpbin-all-v1.yaml", true);
        long shadowBefore = logLines("httpbin-v2", "httpbin-shadow:8000");
        steps.add(DemoScenario.Step.only("all to v1", requests("all to v1", layout.meshPort(), "httpbin:8000",
                "/headers", Map.of(), 10), "v1", 10));
        showLogs();
        banner("Mirror every request to v2: v1 still answers; v2's log shows each request with Host httpbin-shadow:8000");
        change("apply", "mirror/httpbin-mirror-v2.yaml", true);
        steps.add(DemoScenario.Step.only("v1 + mirror to v2", requests("v1 + mirror to v2", layout.meshPort(),
                "httpbin:8000", "/headers", Map.of(), 10), "v1", 10));
        Fleet.sleep(500);
        showLogs();
        long shadows = logLines("httpbin-v2", "httpbin-shadow:8000") - shadowBefore;
        out.printf("  v2 received %d mirrored requests (Host httpbin-shadow:8000); their responses were discarded%n",
                shadows);
        steps.add(DemoScenario.Step.count("mirrored to v2", "httpbin-shadow", (int) shadows, 10, 10));
        change("delete", "mirror/httpbin-all-v1.yaml", true);
        return List.copyOf(steps);
    }

    public List<DemoScenario.Step> tutorial() {
        banner("Register httpbin v1 and v2 and open the HTTP gateway on port " + gatewayPort);
        change("apply", "httpbin-services.yaml", true);
        change("apply", "tutorial/gateway.yaml", true);
        banner("Header routing: user zhj1 to v1, /istio-v2 and everyone else to v2");
        change("apply", "tutorial/header-routing.yaml", true);
        steps.add(DemoScenario.Step.only("user: zhj1", requests("user: zhj1", gatewayPort, "httpbin.example.com",
                "/get", Map.of("user", "zhj1"), 10), "v1", 10));
        steps.add(DemoScenario.Step.only("no user header", requests("no user header", gatewayPort,
                "httpbin.example.com", "/get", Map.of(), 10), "v2", 10));
        steps.add(DemoScenario.Step.only("/istio-v2", requests("/istio-v2", gatewayPort, "httpbin.example.com",
                "/istio-v2/get", Map.of(), 10), "v2", 10));
        banner("Canary: 75/25, then 90/10 (exact per proxy node)");
        change("apply", "tutorial/canary-75-25.yaml", true);
        steps.add(DemoScenario.Step.split("canary 75/25", requests("canary 75/25", gatewayPort,
                "httpbin.example.com", "/get", Map.of(), 100), "v1", "v2", 100, 15, 35));
        out.println("  per proxy node: " + perNode());
        change("apply", "tutorial/canary-90-10.yaml", true);
        steps.add(DemoScenario.Step.split("canary 90/10", requests("canary 90/10", gatewayPort,
                "httpbin.example.com", "/get", Map.of(), 100), "v1", "v2", 100, 3, 20));
        out.println("  per proxy node: " + perNode());
        banner("Faults: /get aborted with 400 for half of the requests; /status delayed 2s");
        change("apply", "tutorial/faults.yaml", true);
        Map<String, Integer> aborts = requests("abort 50%", gatewayPort, "httpbin.example.com", "/get", Map.of(), 20);
        steps.add(new DemoScenario.Step("abort 50%", 0, aborts, "some aborted, some answered",
                aborts.size() > 1 && aborts.values().stream().mapToInt(Integer::intValue).sum() == 20));
        long start = System.nanoTime();
        HttpCalls.Reply delayed = HttpCalls.get(layout.host(), gatewayPort, "httpbin.example.com", "/status/200", Map.of());
        out.printf("  GET /status/200 -> %d after %d ms (flags %s)%n", delayed.status(),
                Duration.ofNanos(System.nanoTime() - start).toMillis(), delayed.header("x-kshift-response-flags"));
        banner("Timeout 10s, 3 retries of 2s on gateway errors: a 503 from v1 is tried 4 times");
        change("apply", "tutorial/timeout-retries.yaml", true);
        long before = logLines("httpbin-v1", "/status/503");
        HttpCalls.Reply failed = HttpCalls.get(layout.host(), gatewayPort, "httpbin.example.com", "/status/503", Map.of());
        Fleet.sleep(300);
        long tries = logLines("httpbin-v1", "/status/503") - before;
        out.printf("  GET /status/503 -> %d; httpbin-v1 saw it %d times (1 try + 3 retries)%n", failed.status(), tries);
        steps.add(DemoScenario.Step.count("retries of a 503", "tries", (int) tries, 4, 4));
        change("delete", "tutorial/timeout-retries.yaml", true);
        change("delete", "tutorial/gateway.yaml", true);
        return List.copyOf(steps);
    }

    private Map<String, Integer> requests(String name, int port, String authority, String path,
                                          Map<String, String> headers, int n) {
        String shownHeaders = headers.entrySet().stream().map(e -> " -H '" + e.getKey() + ": " + e.getValue() + "'")
                .reduce("", String::concat);
        out.printf("$ for i in $(seq %d); do curl -si -H 'Host: %s'%s http://%s:%d%s | grep -i '^x-echo-version'; done%n",
                n, authority, shownHeaders, layout.host(), port, path);
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            counts.merge(HttpCalls.get(layout.host(), port, authority, path, headers).version(), 1, Integer::sum);
        }
        out.printf("  %s: %s of %d requests%n", name, counts, n);
        out.println("  " + telemetry.latest("default", "httpbin"));
        return counts;
    }

    private void showLogs() {
        for (String backend : List.of("httpbin-v1", "httpbin-v2")) {
            List<String> lines = log(backend);
            out.println("  $ tail -3 .kshift/logs/" + backend + ".log");
            lines.subList(Math.max(0, lines.size() - 3), lines.size()).forEach(l -> out.println("    " + l));
        }
    }

    private long logLines(String backend, String containing) {
        return log(backend).stream().filter(l -> l.contains(containing)).count();
    }

    private List<String> log(String backend) {
        Path file = layout.logs().resolve(backend + ".log");
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String perNode() {
        List<String> parts = new ArrayList<>();
        for (JsonNode node : client.nodes()) {
            Map<String, Long> counts = new TreeMap<>();
            for (JsonNode route : node.path("httpRoutes")) {
                if (route.path("listener").asText().equals("http:" + gatewayPort)) {
                    route.path("targets").forEach(t -> counts.merge(t.path("version").asText(),
                            t.path("requests").asLong(), Long::sum));
                }
            }
            parts.add(node.path("status").path("nodeId").asText() + " " + counts);
        }
        return String.join("  ", parts);
    }

    private void banner(String title) {
        out.println();
        out.println("== " + title);
    }

    private int change(String verb, String file, boolean sync) {
        return changes.run(verb, "samples/httpbin/" + file, sample(file), sync);
    }

    /** A sample file with the fleet's ports in place of the samples' (the same text for the default ports). */
    byte[] sample(String file) {
        return Samples.read(layout, "samples/httpbin", file, Map.of("31080", String.valueOf(gatewayPort),
                "http: 9011", "http: " + layout.httpV1Port(), "http: 9012", "http: " + layout.httpV2Port()));
    }
}
