package io.kshift.config.change;

import io.kshift.model.mesh.IstioDuration;
import java.time.Duration;
import java.util.Optional;

/**
 * How long a change request waits, and for what: {@code ?wait=5s} for the verdict; {@code ?waitFor=synced} (with
 * {@code timeout}, default 30 s) for the verdict and then for every live proxy to run the new generation.
 * At most 60 s either way. {@code problem} is set when the parameters do not parse.
 */
public record WaitSpec(Duration timeout, boolean synced, String problem) {
    static final Duration MAX = Duration.ofSeconds(60);
    static final Duration DEFAULT_SYNC_TIMEOUT = Duration.ofSeconds(30);

    public static WaitSpec parse(String wait, String waitFor, String timeout) {
        boolean synced = false;
        if (waitFor != null && !waitFor.isBlank()) {
            if (!waitFor.equals("synced") && !waitFor.equals("verdict")) {
                return new WaitSpec(Duration.ZERO, false, "waitFor must be 'verdict' or 'synced', not '" + waitFor + "'");
            }
            synced = waitFor.equals("synced");
        }
        String text = timeout != null && !timeout.isBlank() ? timeout : wait;
        Optional<Duration> parsed = text == null || text.isBlank()
                ? Optional.of(waitFor == null || waitFor.isBlank() ? Duration.ZERO : DEFAULT_SYNC_TIMEOUT)
                : IstioDuration.parse(text);
        if (parsed.isEmpty()) {
            return new WaitSpec(Duration.ZERO, false, "wait/timeout must be a duration such as 5s or 500ms, not '"
                    + text + "'");
        }
        return new WaitSpec(parsed.get().compareTo(MAX) > 0 ? MAX : parsed.get(), synced, null);
    }
}
