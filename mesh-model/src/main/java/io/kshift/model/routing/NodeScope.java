package io.kshift.model.routing;

import io.kshift.model.mesh.MeshConfig;
import java.util.Map;

/**
 * Who a proxy node is to the config: its namespace ({@code kshift.proxy.namespace}), which decides what is
 * exported to it ({@link Exports}) and which Sidecar applies to its mesh port ({@link SidecarScope}), and its labels
 * ({@code kshift.proxy.labels}), which decide the Istio Gateways it serves ({@link GatewaySelection}) and the
 * Sidecar, and its locality ({@code region/zone/subzone}; null: none), which orders endpoints by nearness under
 * locality load balancing. {@link #EVERYWHERE}: a view of everything (tools and tests that build tables for no node
 * in particular).
 */
public record NodeScope(String namespace, Map<String, String> labels, String locality) {
    public static final NodeScope EVERYWHERE = new NodeScope(null, null);

    public NodeScope(String namespace, Map<String, String> labels) {
        this(namespace, labels, null);
    }

    /** A node's namespace unless configured: Istio's ingress gateway's. */
    public static final String DEFAULT_NAMESPACE = "istio-system";

    /** What is exported to this node's namespace. */
    public MeshConfig visible(MeshConfig config) {
        return namespace == null ? config : Exports.visibleIn(config, namespace);
    }

    /** Of a visible config, what this node serves listeners from: without the Gateways that do not select it. */
    public MeshConfig served(MeshConfig visible) {
        return labels == null ? visible : GatewaySelection.forNode(visible, labels);
    }

    /** What this node's mesh port imports. */
    public SidecarScope sidecar(MeshConfig config) {
        return namespace == null ? SidecarScope.EVERYTHING
                : SidecarScope.forNode(config, namespace, labels == null ? Map.of() : labels);
    }
}
