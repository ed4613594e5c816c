package io.kshift.config.change;

import io.kshift.config.bus.ChangeLedger;
import io.kshift.config.bus.ChangeSubmitter;
import io.kshift.config.bus.LiveConfig;
import io.kshift.config.proxies.ProxyFleet;
import io.kshift.model.event.ChangeRequested;
import io.kshift.model.event.ChangeStatus;
import io.kshift.model.event.Operation;
import io.kshift.model.resource.Resource;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * A well-formed change from submission to answer: onto {@code kshift.changes}, then (as the caller asked) the
 * verdict, this instance's view of the new generation (read-your-writes), and every live proxy running it.
 * Shared by apply, delete and rollback.
 */
@ApplicationScoped
public class ChangeFlow {
    private final ChangeSubmitter submitter;
    private final ChangeLedger ledger;
    private final LiveConfig live;
    private final ProxyFleet proxies;
    private final Stopping stopping;
    private final Clock clock = Clock.systemUTC();

    public ChangeFlow(ChangeSubmitter submitter, ChangeLedger ledger, LiveConfig live, ProxyFleet proxies,
                      Stopping stopping) {
        this.stopping = stopping;
        this.submitter = submitter;
        this.ledger = ledger;
        this.live = live;
        this.proxies = proxies;
    }

    /** Fails only when Kafka does not take the change. */
    public Uni<ChangeResponse> run(Operation op, List<Resource> resources, boolean dryRun, WaitSpec wait,
                                   String submittedBy) {
        return run(op, resources, dryRun, wait, submittedBy, null);
    }

    /**
     * {@code ifGeneration}: apply only if the live generation is that one (null: unconditionally). The validator
     * decides it, against the config it judges; a generation this instance already knows to be past is refused
     * here at once (generations only grow).
     */
    public Uni<ChangeResponse> run(Operation op, List<Resource> resources, boolean dryRun, WaitSpec wait,
                                   String submittedBy, Long ifGeneration) {
        return run(op, resources, dryRun, wait, submittedBy, ifGeneration, null, false);
    }

    /**
     * {@code changeId}: the change's id, named by the caller's {@code Idempotency-Key} or chosen for it (null: a new
     * random one); {@code repeat}: this instance already submitted it. A change whose verdict is known, or that this
     * instance submitted, is not submitted again: the answer is the first one's, waited for as asked.
     */
    public Uni<ChangeResponse> run(Operation op, List<Resource> resources, boolean dryRun, WaitSpec wait,
                                   String submittedBy, Long ifGeneration, String changeId, boolean repeat) {
        if (changeId != null && (repeat || ledger.result(changeId).isPresent())) {
            long deadline = System.nanoTime() + wait.timeout().toNanos();
            ChangeResponse pending = ChangeResponse.pending(changeId, dryRun, resources);
            Uni<ChangeResponse> verdict = wait.timeout().isZero() && ledger.result(changeId).isEmpty()
                    ? Uni.createFrom().item(pending)
                    : verdict(changeId, Math.max(deadline, System.nanoTime() + 1), pending);
            return untilStopping(verdict.onItem().transformToUni(r -> synced(r, wait, deadline)), pending, wait);
        }
        return submit(op, resources, dryRun, wait, submittedBy, ifGeneration,
                changeId == null ? UUID.randomUUID().toString() : changeId);
    }

    private Uni<ChangeResponse> synced(ChangeResponse r, WaitSpec wait, long deadline) {
        return wait.synced() && r.status() == ChangeStatus.ACCEPTED && !r.dryRun()
                ? proxies.awaitSynced(r.generation(), remaining(deadline)).map(r::withSync)
                : Uni.createFrom().item(r);
    }

    private Uni<ChangeResponse> submit(Operation op, List<Resource> resources, boolean dryRun, WaitSpec wait,
                                       String submittedBy, Long ifGeneration, String changeId) {
        long known = live.head().generation();
        // Not for a keyed change: its first attempt may be what moved the generation (the validator decides it).
        if (ifGeneration != null && known > ifGeneration && !changeId.startsWith(IdempotencyKeys.PREFIX)) {
            return Uni.createFrom().item(new ChangeResponse(changeId, ChangeStatus.REJECTED, known, dryRun, List.of(),
                    List.of(ChangeRequested.conflict(known, ifGeneration)), List.of(), null, null));
        }
        ChangeRequested change = ChangeRequested.of(changeId, clock.instant(), op, resources, dryRun).by(submittedBy)
                .ifGeneration(ifGeneration);
        ChangeResponse pending = ChangeResponse.pending(changeId, dryRun, resources);
        long deadline = System.nanoTime() + wait.timeout().toNanos();
        return submitter.submit(change)
                .onItem().transformToUni(v -> wait.timeout().isZero() ? Uni.createFrom().item(pending)
                        : untilStopping(verdict(changeId, deadline, pending)
                                .onItem().transformToUni(r -> synced(r, wait, deadline)), pending, wait));
    }

    /**
     * A wait cut short when this instance starts to stop: the answer is what is known then (the verdict, with the
     * proxies' sync so far when that was asked for, or 202 PENDING naming the change), so the client can ask
     * {@code GET /api/v1/changes/{id}} or retry with its Idempotency-Key instead of losing its connection.
     */
    private Uni<ChangeResponse> untilStopping(Uni<ChangeResponse> waiting, ChangeResponse pending, WaitSpec wait) {
        Uni<ChangeResponse> known = stopping.signal().map(v -> ledger.result(pending.changeId())
                .map(ChangeResponse::of)
                .map(r -> asShown(r, live.head().generation()))
                .map(r -> wait.synced() && r.status() == ChangeStatus.ACCEPTED && !r.dryRun()
                        ? r.withSync(proxies.report(r.generation())) : r)
                .orElse(pending));
        return Uni.combine().any().of(waiting, known);
    }

    private Uni<ChangeResponse> verdict(String changeId, long deadline, ChangeResponse pending) {
        return ledger.await(changeId, remaining(deadline)).onItem().transformToUni(result -> {
            if (result.isEmpty()) {
                return Uni.createFrom().item(pending);
            }
            ChangeResponse response = ChangeResponse.of(result.get());
            if (result.get().status() != ChangeStatus.ACCEPTED) {
                return Uni.createFrom().item(response);
            }
            // Read-your-writes: a GET right after a 200 shows the new generation; not shown by the deadline, 202.
            return live.awaitGeneration(result.get().generation(), remaining(deadline))
                    .map(shown -> asShown(response, shown));
        });
    }

    /** {@code r}, or r answered 202 when it is an accepted change this instance, at {@code shown}, does not show. */
    private static ChangeResponse asShown(ChangeResponse r, long shown) {
        return r.status() == ChangeStatus.ACCEPTED && !r.dryRun() && r.generation() != null
                && r.generation() > shown ? r.notShownHere() : r;
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
    }
}
