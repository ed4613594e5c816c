package io.kshift.model.routing;

import io.kshift.model.istio.GatewaySpec;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
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
        List<Resource> elsewhere = new ArrayList<>();
        for (Resource gw : config.ofKind(Kind.GATEWAY)) {
            if (!selects(gw.specAs(GatewaySpec.class).selector(), labels)) {
                elsewhere.add(gw);
            }
        }
        return elsewhere.isEmpty() ? config : config.delete(elsewhere).config();
    }

    /**
     * The configs nodes could be given, one per distinct Istio Gateway selector: what a node labelled with just
     * those labels serves (the Gateways whose selectors ask for no more). With one selector (the usual case) that
     * is the config itself. A node with more labels than any one selector asks for may serve more together; such
     * combinations are not foreseen.
     */
    public static List<MeshConfig> nodeViews(MeshConfig config) {
        List<Map<String, String>> selectors = config.ofKind(Kind.GATEWAY).stream()
                .map(gw -> gw.specAs(GatewaySpec.class).selector()).distinct().toList();
        if (selectors.size() < 2) {
            return List.of(config);
        }
        List<MeshConfig> out = new ArrayList<>();
        for (Map<String, String> labels : selectors) {
            out.add(forNode(config, labels));
        }
        return out;
    }
}
