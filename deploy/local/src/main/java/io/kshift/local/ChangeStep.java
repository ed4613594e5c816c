package io.kshift.local;

import java.io.PrintStream;
import java.time.Duration;

/**
 * One change as a demo shows it: the {@code curl} an operator would type, the verdict, and (on request) the time
 * until every proxy runs the new generation.
 */
final class ChangeStep {
    private final FleetLayout layout;
    private final KshiftClient client;
    private final PrintStream out;

    ChangeStep(FleetLayout layout, KshiftClient client, PrintStream out) {
        this.layout = layout;
        this.client = client;
        this.out = out;
    }

    /** A verdict either way: a clean-up that may find nothing to delete. */
    static final java.util.Set<Integer> ANY_VERDICT = java.util.Set.of(200, 422);

    /** Applies or deletes {@code yaml} (shown as {@code shownPath}), which must be accepted; returns 200. */
    int run(String verb, String shownPath, byte[] yaml, boolean sync) {
        return run(verb, shownPath, yaml, sync, java.util.Set.of(200));
    }

    /**
     * Applies or deletes {@code yaml} (shown as {@code shownPath}); returns the HTTP status of the answer, which must
     * be one of {@code expected}: the demo stops on any other (what follows builds on this step).
     */
    int run(String verb, String shownPath, byte[] yaml, boolean sync, java.util.Set<Integer> expected) {
        out.printf("$ ./kshift %s -f %s%n", verb, shownPath);
        KshiftClient.Answer answer = verb.equals("apply") ? client.apply(yaml) : client.delete(yaml);
        out.println("  " + answer.describe().replace("\n", "\n  "));
        if (sync && answer.status() == 200) {
            long generation = answer.body().path("generation").asLong();
            Duration took = client.awaitSynced(generation, Duration.ofSeconds(30));
            out.printf("  all %d proxies run generation %d (%d ms after the verdict)%n",
                    layout.proxyAdminPorts().size(), generation, took.toMillis());
        }
        if (!expected.contains(answer.status())) {
            throw new IllegalStateException(verb + " " + shownPath + " answered " + answer.status() + ", not "
                    + expected + ": " + answer.body());
        }
        return answer.status();
    }
}
