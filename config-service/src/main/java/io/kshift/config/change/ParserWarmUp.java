package io.kshift.config.change;

import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.event.ChangeRequested;
import io.kshift.model.event.ChangeResult;
import io.kshift.model.event.ChangeStatus;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.GenerationSummary;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.Operation;
import io.kshift.model.event.ResourceAction;
import io.kshift.model.event.Schemas;
import io.kshift.model.mesh.SyntheticMesh;
import io.kshift.model.resource.Resource;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Reads and encodes a synthetic 900-resource body, and decodes and writes what comes back for it, right after
 * start, on a thread of its own, so the JIT has compiled the request path before an operator's first bulk apply:
 * a fresh config-service spent ~4 s of an 8 s first 900-resource load parsing it (interpreted code); a warm one
 * parses it in well under 100 ms. A fixed five rounds ended still cold on a busy 2-core start (every service
 * warming up at once: five rounds took 8–12 s). So it goes on until the JIT has settled, after at least
 * {@code rounds}, within {@code timeout}: until the last three rounds are each within a quarter of the best so far.
 * Rounds are timed in this thread's CPU time, not wall time, so that waiting for a core on a busy start neither
 * looks like work left to compile nor hides it. Nothing is sent anywhere. Rounds = 0 turns it off.
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
        t.start();
    }

    void run() {
        long started = System.nanoTime();
        List<Long> micros = new ArrayList<>();
        try {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            boolean cpu = threads.isCurrentThreadCpuTimeSupported();
            byte[] body = SyntheticMesh.services("kshift-warmup", 0, 180).getBytes(StandardCharsets.UTF_8);
            do {
                long round = cpu ? threads.getCurrentThreadCpuTime() : System.nanoTime();
                round(body);
                micros.add(((cpu ? threads.getCurrentThreadCpuTime() : System.nanoTime()) - round) / 1000);
            } while ((micros.size() < rounds || !settled(micros))
                    && System.nanoTime() - started < timeout.toNanos());
            LOG.infof("warm-up: parsed a 900-resource body %d times in %d ms; CPU ms per round: first %d, best %d,"
                            + " last %s%s", micros.size(), (System.nanoTime() - started) / 1_000_000,
                    micros.get(0) / 1000, Collections.min(micros) / 1000,
                    micros.subList(Math.max(0, micros.size() - 3), micros.size()).stream().map(m -> m / 1000)
                            .toList(), settled(micros) ? "" : "; stopped at the time limit, not settled");
        } catch (Exception e) {
            LOG.warnf(e, "warm-up stopped");
        }
    }

    /** One round: the body read, the change written for the bus, and the way back ({@link #answer}). */
    static int round(byte[] body) throws Exception {
        var parsed = ResourceReader.readBody(body, BodyFormat.YAML);
        if (!parsed.ok()) {
            throw new IllegalStateException("the warm-up body does not read: " + parsed.errors());
        }
        EventCodec.encode(ChangeRequested.of("warm-up", Instant.now(), Operation.APPLY, parsed.resources(), false));
        return answer(parsed.resources());
    }

    /**
     * The way back, as for a real bulk apply: the validator's result read off the bus (900 resource actions), the
     * history record's summary header, and the answer written for the caller. Left cold, these made the first bulk
     * apply's JIT work (~0.5 s of CPU on a 2-core start, next to the validator's and the proxies').
     */
    private static int answer(List<Resource> resources) {
        List<ResourceAction> created = resources.stream()
                .map(r -> ResourceAction.of(r.key(), ResourceAction.Action.CREATED)).toList();
        var result = EventCodec.decode(EventCodec.encode(new ChangeResult(Schemas.CHANGE_RESULT, "warm-up",
                ChangeStatus.ACCEPTED, 1, false, created, List.of(), List.of(), Instant.now())
                .withSubmittedBy("warm-up")), ChangeResult.class);
        var snapshot = new MeshSnapshot(Schemas.MESH_SNAPSHOT, 1, "warm-up", Instant.now(), resources);
        EventCodec.decode(EventCodec.encode(GenerationSummary.of(snapshot, result.resources(), result.submittedBy())),
                GenerationSummary.class);
        ChangeResponse answer = ChangeResponse.of(result);
        EventCodec.encode(answer);
        return answer.resources().size();
    }

    /** Whether each of the last three rounds is within a quarter of the best so far (the JIT is done). */
    static boolean settled(List<Long> rounds) {
        if (rounds.size() < 3) {
            return false;
        }
        long best = Math.max(1, Collections.min(rounds));
        return Collections.max(rounds.subList(rounds.size() - 3, rounds.size())) <= best * 5 / 4;
    }
}
