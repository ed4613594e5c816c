package io.kshift.proxy.config;

import jakarta.enterprise.context.ApplicationScoped;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Who this proxy node is: its id on the bus ({@code kshift.proxy.node-id}, else host-pid), its labels
 * ({@code kshift.proxy.labels=zone=a,pool=edge}), its namespace ({@code kshift.proxy.namespace}, as a pod's:
 * Istio's ingress gateway runs in {@code istio-system}), its locality
 * ({@code kshift.proxy.locality=region/zone/subzone}, else from its topology labels) and when it started.
 */
@ApplicationScoped
public class NodeIdentity {
    private final String nodeId;
    private final Map<String, String> labels;
    private final String namespace;
    private final String locality;
    private final Instant startedAt = Instant.now();

    public NodeIdentity(@ConfigProperty(name = "kshift.proxy.node-id") Optional<String> configured,
                        @ConfigProperty(name = "kshift.proxy.labels") Optional<String> labels,
                        @ConfigProperty(name = "kshift.proxy.namespace",
                                defaultValue = io.kshift.model.routing.NodeScope.DEFAULT_NAMESPACE)
                        String namespace,
                        @ConfigProperty(name = "kshift.proxy.locality") Optional<String> locality) {
        this.nodeId = configured.filter(s -> !s.isBlank()).orElseGet(NodeIdentity::hostAndPid);
        this.labels = labels.map(NodeIdentity::parseLabels).orElse(Map.of());
        this.locality = locality.filter(l -> !l.isBlank()).map(String::strip).orElseGet(() -> fromLabels(this.labels));
        if (this.locality != null && !this.locality.matches("[^/*\\s]+(/[^/*\\s]*){0,2}")) {
            throw new IllegalArgumentException((locality.filter(l -> !l.isBlank()).isPresent()
                    ? "kshift.proxy.locality" : "the locality from the topology labels") + " '" + this.locality
                    + "' is not a locality (region/zone/subzone, no wildcards)");
        }
        if (!namespace.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
            throw new IllegalArgumentException("kshift.proxy.namespace '" + namespace + "' is not a namespace name");
        }
        this.namespace = namespace;
    }

    public String namespace() {
        return namespace;
    }

    /** What decides the config this node serves: its namespace and labels, and its locality. */
    public io.kshift.model.routing.NodeScope scope() {
        return new io.kshift.model.routing.NodeScope(namespace, labels, locality);
    }

    /** This node's locality ({@code region/zone/subzone}), or null: none configured. */
    public String locality() {
        return locality;
    }

    /**
     * Istio's reading of a node's locality from its labels when none is configured: the Kubernetes topology labels
     * {@code topology.kubernetes.io/region} and {@code zone}, and Istio's {@code topology.istio.io/subzone}.
     */
    static String fromLabels(Map<String, String> labels) {
        String region = labels.get("topology.kubernetes.io/region");
        if (region == null || region.isBlank()) {
            return null;
        }
        return region + "/" + labels.getOrDefault("topology.kubernetes.io/zone", "") + "/"
                + labels.getOrDefault("topology.istio.io/subzone", "");
    }

    /** {@code k=v,k2=v2}; a pair without {@code =} is a label with an empty value, as in Kubernetes selectors. */
    static Map<String, String> parseLabels(String text) {
        Map<String, String> out = new TreeMap<>();
        for (String pair : text.split(",")) {
            if (!pair.isBlank()) {
                int eq = pair.indexOf('=');
                out.put((eq < 0 ? pair : pair.substring(0, eq)).trim(), eq < 0 ? "" : pair.substring(eq + 1).trim());
            }
        }
        return Map.copyOf(out);
    }

    public Map<String, String> labels() {
        return labels;
    }

    private static String hostAndPid() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "proxy";
        }
        return host + "-" + ManagementFactory.getRuntimeMXBean().getPid();
    }

    public String nodeId() {
        return nodeId;
    }

    public Instant startedAt() {
        return startedAt;
    }
}
