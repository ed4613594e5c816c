package io.kshift.config.bus;

import io.kshift.model.event.ChangeResult;
import io.kshift.model.event.EventCodec;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Channel {@code results} ← topic {@code kshift.change-results}: every verdict the validator has published (read
 * from the start on each boot, so a restarted config-service still answers for older changes), and the requests
 * waiting for one.
 */
@ApplicationScoped
public class ChangeLedger {
    private static final Logger LOG = Logger.getLogger(ChangeLedger.class);
    private static final int REMEMBERED = 100_000;

    private final Map<String, ChangeResult> results = Collections.synchronizedMap(
            new LinkedHashMap<>(1024, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, ChangeResult> eldest) {
                    return size() > REMEMBERED;
                }
            });
    /** Per change, one future per waiting request: a request that stops waiting never ends another's wait. */
    private final ConcurrentHashMap<String, Set<CompletableFuture<ChangeResult>>> waiting = new ConcurrentHashMap<>();

    @Incoming("results")
    public void onResult(String json) {
        ChangeResult result;
        try {
            result = EventCodec.decode(json, ChangeResult.class);
        } catch (RuntimeException e) {
            LOG.warnf("ignoring an unreadable change result: %s", e.getMessage());
            return;
        }
        // The first verdict for a changeId is the one: a copy of the change decided again (an idempotent retry
        // after a validator takeover) must not turn an applied change into a refused one in the answers.
        results.putIfAbsent(result.changeId(), result);
        Set<CompletableFuture<ChangeResult>> waiters = waiting.remove(result.changeId());
        if (waiters != null) {
            waiters.forEach(w -> w.complete(result));
        }
    }

    public Optional<ChangeResult> result(String changeId) {
        return Optional.ofNullable(results.get(changeId));
    }

    /** The verdict for a change, or empty if none arrives within {@code timeout}. */
    public Uni<Optional<ChangeResult>> await(String changeId, Duration timeout) {
        CompletableFuture<ChangeResult> waiter = new CompletableFuture<>();
        waiting.compute(changeId, (id, set) -> {
            Set<CompletableFuture<ChangeResult>> waiters = set != null ? set : ConcurrentHashMap.newKeySet();
            waiters.add(waiter);
            return waiters;
        });
        // A verdict that arrived before the line above is in the results already.
        result(changeId).ifPresent(waiter::complete);
        return Uni.createFrom().completionStage(waiter)
                .map(Optional::of)
                .ifNoItem().after(timeout).recoverWithItem(Optional.empty())
                .onTermination().invoke(() -> waiting.computeIfPresent(changeId, (id, set) -> {
                    set.remove(waiter);
                    return set.isEmpty() ? null : set;
                }));
    }

    /** Requests waiting for a verdict now (for tests: every wait leaves when it ends). */
    int waiting() {
        return waiting.values().stream().mapToInt(Set::size).sum();
    }
}
