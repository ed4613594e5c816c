package io.kshift.config.bus;

import io.kshift.model.event.ChangeResult;
import io.kshift.model.event.EventCodec;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
    /**
     * Verdicts kept are bounded by their encoded size too: a bulk change lists its thousand resources, and 100,000
     * such would not fit a heap, nor would they a restarted instance re-reading the topic from its start.
     */
    static final long REMEMBERED_CHARS = 64L << 20;
    /**
     * Dry-run diffs (a rollback's may be the whole config) are kept for the newest verdicts only, within this size:
     * the request waiting for a verdict gets it whole even if it arrived just before the wait began; older ones are
     * kept without their diffs.
     */
    static final long DIFF_CHARS = 16L << 20;

    private record Kept(ChangeResult result, long chars) {
    }

    private final LinkedHashMap<String, Kept> results = new LinkedHashMap<>(1024, 0.75f, false);
    /** The verdicts kept with their diffs, oldest first, and their size. */
    private final java.util.ArrayDeque<String> withDiffs = new java.util.ArrayDeque<>();
    private long keptChars;
    private long diffChars;
    /** Per change, one future per waiting request: a request that stops waiting never ends another's wait. */
    private final ConcurrentHashMap<String, Set<CompletableFuture<ChangeResult>>> waiting = new ConcurrentHashMap<>();

    private final ReadThrough readThrough = new ReadThrough();

    @Incoming("results")
    public void onResult(ConsumerRecord<String, String> record) {
        onResult(record.value());
        readThrough.read(record.partition(), record.offset());
    }

    /** How far the verdicts kept have been read at start. */
    public ReadThrough readThrough() {
        return readThrough;
    }

    void onResult(String json) {
        if (json == null) {
            return;
        }
        ChangeResult result;
        try {
            result = EventCodec.decode(json, ChangeResult.class);
        } catch (RuntimeException e) {
            LOG.warnf("ignoring an unreadable change result: %s", e.getMessage());
            return;
        }
        // The first verdict for a changeId is the one: a copy of the change decided again (an idempotent retry
        // after a validator takeover) must not turn an applied change into a refused one in the answers.
        keep(result, json.length());
        Set<CompletableFuture<ChangeResult>> waiters = waiting.remove(result.changeId());
        if (waiters != null) {
            waiters.forEach(w -> w.complete(result));
        }
    }

    private void keep(ChangeResult result, long chars) {
        boolean diffs = result.resources().stream().anyMatch(a -> a.diff() != null);
        synchronized (results) {
            if (results.putIfAbsent(result.changeId(), new Kept(result, chars)) != null) {
                return;
            }
            keptChars += chars;
            if (diffs) {
                withDiffs.addLast(result.changeId());
                diffChars += chars;
            }
            while (withDiffs.size() > 1 && diffChars > DIFF_CHARS) {
                String id = withDiffs.pollFirst();
                Kept full = results.get(id);
                ChangeResult stripped = full.result().withoutDiffs();
                long strippedChars = EventCodec.encode(stripped).length();
                results.put(id, new Kept(stripped, strippedChars)); // keeps its place in the order
                keptChars += strippedChars - full.chars();
                diffChars -= full.chars();
            }
            var eldest = results.entrySet().iterator();
            while ((results.size() > REMEMBERED || keptChars > REMEMBERED_CHARS) && results.size() > 1) {
                var gone = eldest.next();
                keptChars -= gone.getValue().chars();
                if (withDiffs.remove(gone.getKey())) {
                    diffChars -= gone.getValue().chars();
                }
                eldest.remove();
            }
        }
    }

    /** A verdict (an older dry run's without its diffs: the request that waited for it got them). */
    public Optional<ChangeResult> result(String changeId) {
        synchronized (results) {
            return Optional.ofNullable(results.get(changeId)).map(Kept::result);
        }
    }

    /** The encoded size of the verdicts kept (for tests). */
    long keptChars() {
        synchronized (results) {
            return keptChars;
        }
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
