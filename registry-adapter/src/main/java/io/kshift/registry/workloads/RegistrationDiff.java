package io.kshift.registry.workloads;

import io.kshift.model.resource.Resource;
import io.kshift.model.resource.ResourceKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What to change so the mesh holds exactly the desired registrations: resources to apply (new or different) and
 * the adapter's own resources to delete. Resources an operator applied are never touched, and a name an operator
 * already uses is left to the operator. A pure function.
 */
public record RegistrationDiff(List<Resource> apply, List<Resource> delete) {
    public RegistrationDiff {
        apply = List.copyOf(apply);
        delete = List.copyOf(delete);
    }

    public static RegistrationDiff between(List<Resource> desired, List<Resource> live) {
        return between(desired, live, namespace -> true);
    }

    /**
     * {@code watched}: the namespaces this adapter registers. Its leftovers are deleted only there: another adapter's
     * registrations in namespaces this one does not watch are not its to remove (they carry the same label).
     */
    public static RegistrationDiff between(List<Resource> desired, List<Resource> live,
                                           java.util.function.Predicate<String> watched) {
        Map<ResourceKey, Resource> current = new LinkedHashMap<>();
        live.forEach(r -> current.put(r.key(), r));
        List<Resource> apply = new ArrayList<>();
        Map<ResourceKey, Resource> wanted = new LinkedHashMap<>();
        for (Resource r : desired) {
            wanted.put(r.key(), r);
            Resource existing = current.get(r.key());
            boolean operatorOwned = existing != null && !MeshRegistration.isManaged(existing);
            if (!operatorOwned && !r.sameAs(existing)) {
                apply.add(r);
            }
        }
        List<Resource> delete = current.values().stream()
                .filter(MeshRegistration::isManaged)
                .filter(r -> watched.test(r.namespace()))
                .filter(r -> !wanted.containsKey(r.key()))
                .toList();
        return new RegistrationDiff(apply, delete);
    }

    /**
     * Resources one change carries at most: the API's own limit per request. A first start in a cluster of tens of
     * thousands of pods made one change of all of them, over the bus's 10 MiB record limit: refused by the producer
     * and retried as it was every second, so nothing was ever registered. The rest follow, one change at a time.
     */
    public static final int MAX_PER_CHANGE = io.kshift.model.codec.ResourceReader.MAX_RESOURCES;

    /** What the next change carries: additions and updates before deletions, at most {@link #MAX_PER_CHANGE}. */
    public List<Resource> nextBatch() {
        List<Resource> next = apply.isEmpty() ? delete : apply;
        return next.size() > MAX_PER_CHANGE ? next.subList(0, MAX_PER_CHANGE) : next;
    }

    public boolean isEmpty() {
        return apply.isEmpty() && delete.isEmpty();
    }
}
