package io.kshift.model.gateway;

import io.kshift.model.Lists;
import io.kshift.model.resource.ResourceSpec;
import jakarta.validation.Valid;
import java.util.List;

/** Gateway API {@code TCPRoute}: attaches to Gateway listeners and splits connections over weighted backends. */
public record TcpRouteSpec(List<@Valid ParentReference> parentRefs, List<@Valid TcpRouteRule> rules)
        implements ResourceSpec {
    public TcpRouteSpec {
        parentRefs = Lists.copy(parentRefs);
        rules = Lists.copy(rules);
    }
}
