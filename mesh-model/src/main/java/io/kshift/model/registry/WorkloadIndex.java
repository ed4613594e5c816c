package io.kshift.model.registry;

import io.kshift.model.istio.WorkloadEntrySpec;
import io.kshift.model.resource.Resource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * WorkloadEntries by namespace and by each {@code label=value} they carry, so a selector is answered from its
 * rarest label's list instead of a scan of every workload: building a registry of S services over W workloads
 * costs about S + W, not S × W. Lists keep resource order, so selection order is what a scan would give.
 */
final class WorkloadIndex {
    private final Map<String, List<Endpoint>> byNamespace = new HashMap<>();
    private final Map<String, List<Endpoint>> byLabel = new HashMap<>();

    WorkloadIndex(List<Resource> workloads) {
        for (Resource r : workloads) {
            WorkloadEntrySpec w = r.specAs(WorkloadEntrySpec.class);
            Endpoint e = new Endpoint(w.address(), w.ports(), w.labels(), w.locality(),
                    w.weight() == null ? 1 : w.weight());
            byNamespace.computeIfAbsent(r.namespace(), k -> new ArrayList<>()).add(e);
            e.labels().forEach((k, v) -> byLabel.computeIfAbsent(labelKey(r.namespace(), k, v),
                    x -> new ArrayList<>()).add(e));
        }
    }

    /** The endpoints of the workloads in {@code namespace} that carry every label of {@code selector}. */
    List<Endpoint> select(String namespace, Map<String, String> selector) {
        List<Endpoint> candidates = byNamespace.getOrDefault(namespace, List.of());
        for (Map.Entry<String, String> label : selector.entrySet()) {
            List<Endpoint> withLabel = byLabel.getOrDefault(labelKey(namespace, label.getKey(), label.getValue()),
                    List.of());
            if (withLabel.size() < candidates.size()) {
                candidates = withLabel;
            }
        }
        return candidates.stream().filter(e -> e.matches(selector)).toList();
    }

    private static String labelKey(String namespace, String label, String value) {
        return namespace + '\0' + label + '\0' + value;
    }
}
