package io.kshift.model.routing;

import io.kshift.model.istio.GatewaySpec;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Istio Gateways this node serves: those whose {@code selector} its labels ({@code kshift.proxy.labels})
 * satisfy, as an Istio gateway pod serves the Gateways that select it; an empty selector selects every node.
 * The rest leave this node's view of the config, so their ports are not opened here and the VirtualServices bound
 * to them serve nothing here. Gateway API Gateways (one class, {@code kshift}) and the mesh port are every node's.
 * The validator checks ports per group of Gateways one node could serve together ({@link #nodeViews}), so two
 * node groups may each give a port to their own Gateway, as two Istio gateway deployments may.
 */
public final class GatewaySelection {
    private GatewaySelection() {
    }

    public static boolean selects(Map<String, String> selector, Map<String, String> labels) {
        return labels.entrySet().containsAll(selector.entrySet());
    }

    /** {@code config} without the Istio Gateways that do not select {@code labels}; itself when none is left out. */
    public static MeshConfig forNode(MeshConfig config, Map<String, String> labels) {
        // A copy, null values and all (a selector passed as labels may hold one): the memo key and what is tested.
        Map<String, String> node = java.util.Collections.unmodifiableMap(new java.util.HashMap<>(labels));
        return config.retain(List.of(Kind.GATEWAY), List.of("selects", node),
                gw -> selects(gw.specAs(GatewaySpec.class).selector(), node));
    }

    /**
     * The configs nodes could be given: for each Istio Gateway selector, and for each two selectors one node can
     * satisfy together (no label asked for with two values), what a node with just those labels serves. Two
     * Gateways one node could serve together are in one of them, so a check of pairs per view misses no conflict;
     * Gateways no node serves together never share one. With one selector (the usual case): the config itself.
     */
    public static List<MeshConfig> nodeViews(MeshConfig config) {
        List<Map<String, String>> selectors = config.ofKind(Kind.GATEWAY).stream()
                .map(gw -> gw.specAs(GatewaySpec.class).selector()).distinct().toList();
        if (selectors.size() < 2) {
            return List.of(config);
        }
        java.util.Set<Map<String, String>> nodes = new java.util.LinkedHashSet<>();
        for (int i = 0; i < selectors.size(); i++) {
            for (int j = i + 1; j < selectors.size(); j++) {
                if (together(selectors.get(i), selectors.get(j))) {
                    Map<String, String> both = new java.util.TreeMap<>(selectors.get(i));
                    both.putAll(selectors.get(j));
                    nodes.add(both);
                }
            }
        }
        selectors.forEach(nodes::add);
        List<MeshConfig> out = new ArrayList<>();
        for (Map<String, String> labels : nodes) {
            out.add(forNode(config, labels));
        }
        return out;
    }

    /** Whether one node's labels can satisfy both selectors. */
    public static boolean together(Map<String, String> a, Map<String, String> b) {
        for (Map.Entry<String, String> e : a.entrySet()) {
            String other = b.get(e.getKey());
            if (other != null && !other.equals(e.getValue())) {
                return false;
            }
        }
        return true;
    }
}
