package io.kshift.model.gateway;

import io.kshift.model.Lists;
import io.kshift.model.resource.ResourceSpec;
import jakarta.validation.Valid;
import java.util.List;

/**
 * Gateway API {@code TLSRoute}: attaches to TLS listeners and routes connections by their SNI ({@code hostnames},
 * exact or {@code *.} wildcard; none: every name the listener takes) to weighted backends, bytes untouched on a
 * Passthrough listener, decrypted on a Terminate one.
 */
public record TlsRouteSpec(List<@Valid ParentReference> parentRefs, List<String> hostnames,
                           List<@Valid TcpRouteRule> rules) implements ResourceSpec {
    public TlsRouteSpec {
        parentRefs = Lists.copy(parentRefs);
        hostnames = Lists.copy(hostnames);
        rules = Lists.copy(rules);
    }
}
