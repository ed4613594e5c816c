package io.kshift.model.gateway;

import io.kshift.model.Lists;
import jakarta.validation.Valid;
import java.util.List;

/** A TCPRoute rule: its weighted backends. */
public record TcpRouteRule(String name, List<@Valid BackendRef> backendRefs) {
    public TcpRouteRule {
        backendRefs = Lists.copy(backendRefs);
    }
}
