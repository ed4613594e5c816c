package io.kshift.local;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code ./kshift up | down | status | demo}: the local fleet for people. {@code up} starts everything and
 * returns; {@code demo} runs the TCP traffic shifting task (starting the fleet first if needed, and stopping it
 * afterwards if it started it).
 */
public final class KshiftCli {
    public static final int GATEWAY_PORT = 31400;

    private KshiftCli() {
    }

    public static void main(String[] args) {
        Path repo = Path.of("").toAbsolutePath();
        Path work = repo.resolve(".kshift");
        String command = args.length == 0 ? "help" : args[0];
        PrintStream out = System.out;
        try {
            switch (command) {
                case "up" -> up(new Fleet(FleetLayout.defaults(repo)), out);
                case "down" -> new Fleet(FleetLayout.load(repo, work)).down(out);
                case "status" -> status(new Fleet(FleetLayout.load(repo, work)), out);
                case "demo" -> demo(repo, work, out);
                default -> {
                    out.println("usage: ./kshift up | down | status | demo");
                    System.exit(command.equals("help") ? 0 : 2);
                }
            }
        } catch (RuntimeException e) {
            System.err.println("kshift " + command + ": " + e.getMessage());
            System.exit(1);
        }
        System.exit(0);
    }

    static void up(Fleet fleet, PrintStream out) {
        fleet.up(out);
        status(fleet, out);
        FleetLayout l = fleet.layout();
        out.println();
        out.println("The fleet is up. Try the task's steps:");
        out.println("  curl -X POST --data-binary @samples/tcp-echo/tcp-echo-services.yaml -H 'Content-Type: application/yaml' '"
                + l.configUrl() + "/api/v1/apply?wait=5s'");
        out.println("  curl -X POST --data-binary @samples/tcp-echo/tcp-echo-all-v1.yaml -H 'Content-Type: application/yaml' '"
                + l.configUrl() + "/api/v1/apply?wait=5s'");
        out.println("  for i in $(seq 20); do (date; sleep 1) | nc -q1 " + l.host() + " " + GATEWAY_PORT + "; done");
        out.println("Logs: " + l.logs() + "    Stop: ./kshift down");
    }

    static void status(Fleet fleet, PrintStream out) {
        out.printf("%-18s %-9s %s%n", "MEMBER", "PID", "ADDRESS");
        for (Fleet.MemberStatus s : fleet.status()) {
            out.printf("%-18s %-9s %s%n", s.name(), s.pid().map(String::valueOf).orElse("stopped"), s.address());
        }
    }

    static void demo(Path repo, Path work, PrintStream out) {
        Fleet fleet = new Fleet(Files.exists(work.resolve("fleet.properties"))
                ? FleetLayout.load(repo, work) : FleetLayout.defaults(repo));
        boolean startedHere = !fleet.running();
        if (startedHere) {
            fleet.up(out);
        }
        try {
            List<DemoScenario.Step> steps = new DemoScenario(fleet.layout(), GATEWAY_PORT, out).run();
            out.println();
            out.println("== Summary");
            steps.forEach(s -> out.printf("  %-30s %s%n", s.name(), s.counts().isEmpty() ? "HTTP " + s.status() : s.counts()));
        } finally {
            if (startedHere) {
                out.println();
                fleet.down(out);
            }
        }
    }
}
