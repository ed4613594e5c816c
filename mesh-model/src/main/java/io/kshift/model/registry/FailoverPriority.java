package io.kshift.model.registry;

import io.kshift.model.istio.LoadBalancerSettings.LocalityLbSetting;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Istio's {@code localityLbSetting.failoverPriority}: each endpoint's priority as seen from one proxy node, by an
 * ordered list of labels. With N entries an endpoint whose labels match the node's for all N has priority 0, one
 * whose first mismatch is at entry j has N - j (a label counts only while every one before it matches), so endpoints
 * matching only the first label come last but one. An entry {@code key=value} compares the endpoint's label with that
 * value instead of the node's. Both sides carry Istio's topology labels read off their locality
 * ({@code topology.kubernetes.io/region}, {@code .../zone}, {@code topology.istio.io/subzone}), and a label neither
 * has matches (Istio compares empty strings). Pure: labels in, priorities out.
 */
public final class FailoverPriority {
    private FailoverPriority() {
    }

    /** Each endpoint's priority for a node with {@code nodeLabels} at {@code nodeLocality} (null: none). */
    public static List<Integer> of(List<String> entries, Map<String, String> nodeLabels, String nodeLocality,
                                   List<Endpoint> endpoints) {
        Map<String, String> node = withTopology(nodeLabels, nodeLocality);
        List<Integer> out = new ArrayList<>(endpoints.size());
        for (Endpoint e : endpoints) {
            Map<String, String> theirs = withTopology(e.labels(), e.locality());
            int priority = 0;
            for (int j = 0; j < entries.size(); j++) {
                String entry = entries.get(j);
                String label = LocalityLbSetting.priorityLabel(entry);
                String want = label.length() < entry.length() ? entry.substring(label.length() + 1)
                        : node.getOrDefault(label, "");
                if (!want.equals(theirs.getOrDefault(label, ""))) {
                    priority = entries.size() - j;
                    break;
                }
            }
            out.add(priority);
        }
        return out;
    }

    /** Labels with the topology labels of {@code locality} ({@code region/zone/subzone}) over them, as Istio's. */
    static Map<String, String> withTopology(Map<String, String> labels, String locality) {
        Map<String, String> out = new HashMap<>(labels == null ? Map.of() : labels);
        String[] parts = (locality == null ? "" : locality).split("/", -1);
        String[] names = {LocalityLbSetting.REGION, LocalityLbSetting.ZONE, LocalityLbSetting.SUBZONE};
        for (int i = 0; i < names.length && i < parts.length; i++) {
            if (!parts[i].isEmpty()) {
                out.put(names[i], parts[i]);
            }
        }
        return out;
    }
}
