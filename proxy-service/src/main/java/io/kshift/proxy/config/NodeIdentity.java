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
 * ({@code kshift.proxy.labels=zone=a,pool=edge}) and when it started.
 */
@ApplicationScoped
public class NodeIdentity {
    private final String nodeId;
    private final Map<String, String> labels;
    private final Instant startedAt = Instant.now();

    public NodeIdentity(@ConfigProperty(name = "kshift.proxy.node-id") Optional<String> configured,
                        @ConfigProperty(name = "kshift.proxy.labels") Optional<String> labels) {
        this.nodeId = configured.filter(s -> !s.isBlank()).orElseGet(NodeIdentity::hostAndPid);
        this.labels = labels.map(NodeIdentity::parseLabels).orElse(Map.of());
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
