package io.kshift.model.gateway;

import io.kshift.model.Lists;
import io.kshift.model.resource.ResourceSpec;
import jakarta.validation.Valid;
import java.util.List;

/**
 * Gateway API {@code UDPRoute}: attaches to UDP listeners and splits client sessions (datagrams from one client
 * address and port) over weighted backends, as a TCPRoute splits connections. The first rule serves.
 */
public record UdpRouteSpec(List<@Valid ParentReference> parentRefs, List<@Valid TcpRouteRule> rules)
        implements ResourceSpec {
    public UdpRouteSpec {
        parentRefs = Lists.copy(parentRefs);
        rules = Lists.copy(rules);
    }
}
