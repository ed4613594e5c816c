package io.kshift.registry.workloads;

import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.Operation;
import io.kshift.model.resource.Resource;
import io.kshift.model.resource.ResourceKey;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What the adapter submits next, and what the validator's verdicts taught it until the next resync: resources
 * refused on their own are set aside; after a refused batch, one resource per change; a batch accepted as changing
 * nothing (a difference of form only) is not sent again. Only that batch: a quiet period after a no-op held back
 * every cluster event in it, so a pod that came up then waited for the resync to be registered. The same
 * registration in another form (the pod's address changed) is a new difference and goes out at once.
 *
 * <p>Every change is conditional on the generation its diff was made against ({@code ifGeneration}): an operator's
 * change that lands in between makes it a conflict, and the adapter diffs again on the newer config instead of
 * overwriting what it did not see. Thread-safe: the reconcile thread plans, the bus's reader reports verdicts.
 */
public final class RegistryBacklog {
    /** One change to submit: what, and the live generation it was diffed against. */
    public record Batch(Operation operation, List<Resource> resources, long ifGeneration) {
        public Batch {
            resources = List.copyOf(resources);
        }

        public List<ResourceKey> keys() {
            return resources.stream().map(Resource::key).toList();
        }
    }

    private final Set<ResourceKey> refused = new HashSet<>();
    /** Applies accepted as no-ops, as they were desired: skipped while the desired resource stays equal. */
    private final Set<Resource> unchangedApplies = new HashSet<>();
    private final Set<ResourceKey> unchangedDeletes = new HashSet<>();
    private boolean oneAtATime;

    /** The next change that brings {@code live} to {@code desired}, or none when nothing is left to send. */
    public synchronized Optional<Batch> next(List<Resource> desired, MeshSnapshot live, Predicate<String> watched) {
        RegistrationDiff diff = RegistrationDiff.between(desired, live.resources(), watched);
        List<Resource> apply = diff.apply().stream()
                .filter(r -> !refused.contains(r.key()) && !unchangedApplies.contains(r)).toList();
        List<Resource> delete = diff.delete().stream()
                .filter(r -> !refused.contains(r.key()) && !unchangedDeletes.contains(r.key())).toList();
        if (apply.isEmpty() && delete.isEmpty()) {
            return Optional.empty();
        }
        List<Resource> resources = new RegistrationDiff(apply, delete).nextBatch();
        return Optional.of(new Batch(apply.isEmpty() ? Operation.DELETE : Operation.APPLY,
                oneAtATime ? resources.subList(0, 1) : resources, live.generation()));
    }

    /**
     * The validator refused {@code batch} (not for a conflict): a lone resource is set aside; a larger batch is
     * split, one resource per change, so one refused registration never holds back the others.
     *
     * @return whether the resource was set aside (else the batch is being split)
     */
    public synchronized boolean refused(Batch batch) {
        if (batch.resources().size() == 1) {
            refused.add(batch.resources().get(0).key());
            return true;
        }
        oneAtATime = true;
        return false;
    }

    /** The validator accepted {@code batch} and it changed nothing: do not send these again as they are. */
    public synchronized void unchanged(Batch batch) {
        if (batch.operation() == Operation.DELETE) {
            unchangedDeletes.addAll(batch.keys());
        } else {
            unchangedApplies.addAll(batch.resources());
        }
    }

    /** A resync: forget every verdict and diff everything again. */
    public synchronized void resync() {
        refused.clear();
        unchangedApplies.clear();
        unchangedDeletes.clear();
        oneAtATime = false;
    }
}
