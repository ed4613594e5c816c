package io.kshift.config.change;

import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.event.ChangeRequested;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.Operation;
import io.kshift.model.mesh.SyntheticMesh;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Reads and encodes a synthetic 900-resource body right after start, on a thread of its own, so the JIT has
 * compiled the request path before an operator's first bulk apply: a fresh config-service spent ~4 s of an 8 s
 * first 900-resource load parsing it (interpreted code); a warm one parses it in well under 100 ms. A fixed five
 * rounds were not enough on a busy 2-core start (every service warming up at once): they ran ~2 s each and the
 * first real 900-resource apply still took 2.3 s in config-service. So it goes on until the JIT has settled — the
 * last three rounds within a quarter of each other — after at least {@code rounds}, within {@code timeout}.
 * Nothing is sent anywhere. Rounds = 0 turns it off.
 */
@ApplicationScoped
public class ParserWarmUp {
    private static final Logger LOG = Logger.getLogger(ParserWarmUp.class);

    @ConfigProperty(name = "kshift.config.warmup.rounds", defaultValue = "5")
    int rounds;

    @ConfigProperty(name = "kshift.config.warmup.timeout", defaultValue = "60s")
    java.time.Duration timeout;

    void start(@Observes StartupEvent event) {
        if (rounds <= 0) {
            return;
        }
        Thread t = new Thread(this::run, "kshift-parser-warmup");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    void run() {
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        List<Long> millis = new ArrayList<>();
        try {
            byte[] body = SyntheticMesh.services("kshift-warmup", 0, 180).getBytes(StandardCharsets.UTF_8);
            do {
                long round = System.nanoTime();
                var parsed = ResourceReader.readBody(body, BodyFormat.YAML);
                EventCodec.encode(ChangeRequested.of("warm-up", Instant.now(), Operation.APPLY, parsed.resources(),
                        false));
                millis.add((System.nanoTime() - round) / 1_000_000);
            } while ((millis.size() < rounds || !settled(millis)) && System.nanoTime() < deadline);
            LOG.infof("warm-up: parsed a 900-resource body %d times in %d ms (rounds %s ms)%s", millis.size(),
                    (System.nanoTime() - started) / 1_000_000, millis,
                    settled(millis) ? "" : "; stopped at the time limit, not settled");
        } catch (Exception e) {
            LOG.warnf(e, "warm-up stopped");
        }
    }

    /** Whether the last three rounds took within a quarter of each other (the JIT is done with the path). */
    static boolean settled(List<Long> millis) {
        if (millis.size() < 3) {
            return false;
        }
        List<Long> last = millis.subList(millis.size() - 3, millis.size());
        long min = Collections.min(last);
        long max = Collections.max(last);
        return max <= Math.max(min, 1) * 5 / 4;
    }
}
