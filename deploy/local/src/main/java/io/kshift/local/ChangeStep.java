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

    /** Applies or deletes {@code yaml} (shown as {@code shownPath}); returns the HTTP status of the answer. */
    int run(String verb, String shownPath, byte[] yaml, boolean sync) {
        out.printf("$ ./kshift %s -f %s%n", verb, shownPath);
        KshiftClient.Answer answer = verb.equals("apply") ? client.apply(yaml) : client.delete(yaml);
        out.println("  " + answer.describe().replace("\n", "\n  "));
        if (sync && answer.status() == 200) {
            long generation = answer.body().path("generation").asLong();
            Duration took = client.awaitSynced(generation, Duration.ofSeconds(30));
            out.printf("  all %d proxies run generation %d (%d ms after the verdict)%n",
                    layout.proxyAdminPorts().size(), generation, took.toMillis());
        }
        if (answer.status() != 200 && answer.status() != 422) {
            throw new IllegalStateException(verb + " " + shownPath + " answered " + answer.status() + ": "
                    + answer.body());
        }
        return answer.status();
    }
}
