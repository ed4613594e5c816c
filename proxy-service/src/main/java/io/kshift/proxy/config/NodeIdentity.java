package io.kshift.proxy.config;

import jakarta.enterprise.context.ApplicationScoped;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Who this proxy node is: its id on the bus ({@code kshift.proxy.node-id}, else host-pid) and when it started. */
@ApplicationScoped
public class NodeIdentity {
    private final String nodeId;
    private final Instant startedAt = Instant.now();

    public NodeIdentity(@ConfigProperty(name = "kshift.proxy.node-id") Optional<String> configured) {
        this.nodeId = configured.filter(s -> !s.isBlank()).orElseGet(NodeIdentity::hostAndPid);
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
