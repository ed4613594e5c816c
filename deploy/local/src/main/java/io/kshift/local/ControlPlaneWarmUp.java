package io.kshift.local;

import io.kshift.model.auth.Role;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Dry runs of the repository's samples through the control plane before {@code up} returns. A control plane's
 * first apply compiles its whole path (the token's check, parsing, validation, the bus) at once: on a fresh
 * 2-core fleet config-service and the validator spent ~2.7 CPU-seconds in the seconds after it, three quarters
 * of it their JIT, 1.6 s for the apply itself, on the cores the proxies' first traffic needs. A dry run takes
 * the same path up to the verdict and changes no config (no generation, nothing reaches a proxy); it leaves its
 * change request and result on the bus and a line in the audit trail, under its own subject ({@link #SUBJECT}).
 * The apply's own last steps (publishing a generation, awaiting the proxies) stay cold: only a real change
 * reaches them. Rounds go on until they stop getting faster (at least three, at most ten).
 */
final class ControlPlaneWarmUp {
    /**
     * Each body a set of files under {@code samples/} the validator accepts alone: TCP in both API flavours, and
     * HTTP with a canary.
     */
    static final List<List<String>> BODIES = List.of(
            List.of("tcp-echo/tcp-echo-services.yaml", "tcp-echo/tcp-echo-all-v1.yaml"),
            List.of("tcp-echo/tcp-echo-services.yaml", "tcp-echo/gateway-api/tcp-echo-all-v1.yaml"),
            List.of("httpbin/httpbin-services.yaml", "httpbin/tutorial/gateway.yaml",
                    "httpbin/tutorial/canary-90-10.yaml"));
    static final int MIN_ROUNDS = 3;
    static final int MAX_ROUNDS = 10;
    /** Who the audit trail names for the warm-up's dry runs: not the operator. */
    static final String SUBJECT = "kshift-up-warm-up";
    /**
     * The control plane is quiet once its processes use under this much CPU together per {@link #QUIET_SLICE}, in
     * clock ticks of 10 ms ({@link ProcessCpu#ticks}).
     */
    static final long QUIET_TICKS = 6;
    static final Duration QUIET_SLICE = Duration.ofMillis(500);
    static final Duration QUIET_WAIT = Duration.ofSeconds(15);
    /** A verdict later than this (no validator owns the changes yet, say) ends the warm-up, not {@code up}. */
    private static final String DRY_RUN = "/api/v1/apply?dryRun=true&waitFor=verdict&timeout=10s";

    /**
     * What the rounds did: the dry runs posted, how many were accepted (a config the samples clash with rejects
     * them, which warms as well), each round's wall time and how long the control plane took to go quiet after
     * them. {@code failure} says why the warm-up stopped early (an answer that was no verdict, or no answer):
     * {@code up} goes on either way.
     */
    record Report(int dryRuns, int accepted, List<Long> roundMillis, String failure, Duration untilQuiet) {
        String describe() {
            String rounds = roundMillis.stream().map(String::valueOf).collect(Collectors.joining(", "));
            return failure != null ? "control plane warm-up stopped after " + dryRuns + " dry runs: " + failure
                    : "control plane warmed: " + dryRuns + " dry runs (" + accepted + " accepted), rounds of "
                    + rounds + " ms, then quiet after " + untilQuiet.toMillis() + " ms";
        }

        Report quietAfter(Duration waited) {
            return new Report(dryRuns, accepted, roundMillis, failure, waited);
        }
    }

    private ControlPlaneWarmUp() {
    }

    /**
     * Warms the control plane whose processes are {@code processes}, then waits until they are quiet: the JIT keeps
     * compiling what the last rounds made hot for a few seconds (on a fresh fleet, the first apply after the
     * rounds alone still cost config-service and the validator ~0.8 CPU-seconds, ~0.5 after five seconds' rest).
     */
    static Report run(FleetLayout layout, ProcessCpu processes) {
        String token = LocalCredentials.issuer(layout).mint(SUBJECT, Role.EDITOR, List.of(), Duration.ofMinutes(10));
        Report rounds = rounds(layout, new KshiftClient(layout, token));
        if (rounds.failure() != null) {
            return rounds;
        }
        long start = System.nanoTime();
        awaitQuiet(processes);
        return rounds.quietAfter(Duration.ofNanos(System.nanoTime() - start));
    }

    /** Until {@code processes} used less than {@link #QUIET_TICKS} in one slice, at most {@link #QUIET_WAIT}. */
    static void awaitQuiet(ProcessCpu processes) {
        long deadline = System.nanoTime() + QUIET_WAIT.toNanos();
        long before = processes.ticks();
        while (System.nanoTime() < deadline) {
            Fleet.sleep(QUIET_SLICE.toMillis());
            long now = processes.ticks();
            if (now - before < QUIET_TICKS) {
                return;
            }
            before = now;
        }
    }

    static Report rounds(FleetLayout layout, KshiftClient client) {
        List<Long> rounds = new ArrayList<>();
        int dryRuns = 0;
        int accepted = 0;
        try {
            List<byte[]> bodies = BODIES.stream().map(files -> body(layout, files)).toList();
            while (rounds.size() < MAX_ROUNDS) {
                long start = System.nanoTime();
                for (byte[] body : bodies) {
                    KshiftClient.Answer answer = client.post(DRY_RUN, body);
                    // Accepted is 200, rejected 422 (409 for a stale generation): either is a verdict.
                    String verdict = answer.body().path("status").asText("");
                    if (!verdict.equals("ACCEPTED") && !verdict.equals("REJECTED")) {
                        return new Report(dryRuns, accepted, rounds, answer.describe(), Duration.ZERO);
                    }
                    dryRuns++;
                    accepted += verdict.equals("ACCEPTED") ? 1 : 0;
                }
                rounds.add((System.nanoTime() - start) / 1_000_000);
                if (rounds.size() >= MIN_ROUNDS && settled(rounds)) {
                    break;
                }
            }
        } catch (RuntimeException e) {
            return new Report(dryRuns, accepted, rounds, String.valueOf(e.getMessage()), Duration.ZERO);
        }
        return new Report(dryRuns, accepted, rounds, null, Duration.ZERO);
    }

    /** The last round is less than a fifth faster than the one before: the JIT has done most of what it will. */
    static boolean settled(List<Long> rounds) {
        long last = rounds.get(rounds.size() - 1);
        long before = rounds.get(rounds.size() - 2);
        return last * 5 >= before * 4;
    }

    /** The files as one multi-document body, as {@code kubectl apply -f} of several files sends them. */
    private static byte[] body(FleetLayout layout, List<String> files) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String file : files) {
            out.writeBytes(Samples.read(layout, "samples", file, Map.of()));
            out.writeBytes("\n---\n".getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }
}
