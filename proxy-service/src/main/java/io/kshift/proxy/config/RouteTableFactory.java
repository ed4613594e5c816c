package io.kshift.proxy.config;

import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.ResourceKey;
import io.kshift.model.secret.FleetKeys;
import io.kshift.proxy.routing.Destinations;
import io.kshift.proxy.routing.RouteTable;
import io.kshift.proxy.routing.RouteTableBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * How this node turns a config into a route table: {@link RouteTableBuilder}, as a bean a test can slow down, with
 * the fleet key ring ({@code kshift.secrets.key-file}) that opens the private keys of the certificates it serves.
 */
@ApplicationScoped
public class RouteTableFactory {
    private final FleetKeys keys;
    /** Whose namespace and labels decide what is served here (a field, so a test's subclass is injected it too). */
    @Inject
    NodeIdentity node;

    @Inject
    public RouteTableFactory(@ConfigProperty(name = "kshift.secrets.key-file") Optional<String> keyFile) {
        this.keys = FleetKeys.load(keyFile);
        org.jboss.logging.Logger.getLogger(RouteTableFactory.class).infof("TLS by %s",
                io.kshift.proxy.tls.ServerTls.provider() == io.netty.handler.ssl.SslProvider.OPENSSL
                        ? "OpenSSL (" + io.netty.handler.ssl.OpenSsl.versionString() + ")" : "the JDK");
        if (!keys.canSeal()) {
            org.jboss.logging.Logger.getLogger(RouteTableFactory.class).warnf("no fleet key ring"
                    + " (kshift.secrets.key-file %s): TLS that terminates on this node will not be served",
                    keyFile.orElse("unset"));
        }
    }

    /**
     * {@code changedKeys}: where {@code config} differs from {@code previous}'s, or null when not known. The table
     * is built from this node's view ({@link io.kshift.model.routing.NodeScope}): what is exported to its namespace,
     * the Istio Gateways that select it, the Sidecar that applies to it.
     */
    public RouteTable build(long generation, MeshConfig config, List<ResourceKey> changedKeys,
                            Destinations destinations, RouteTable previous) {
        return RouteTableBuilder.build(generation, config, changedKeys, destinations, previous, keys, node.scope());
    }
}
