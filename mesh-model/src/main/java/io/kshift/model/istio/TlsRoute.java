package io.kshift.model.istio;

import io.kshift.model.Lists;
import jakarta.validation.Valid;
import java.util.List;

/** One {@code spec.tls[]} entry: routes TLS connections by SNI (matches OR-ed) to weighted destinations, untouched. */
public record TlsRoute(List<@Valid TlsMatchAttributes> match, List<@Valid RouteDestination> route) {
    public TlsRoute {
        match = Lists.copy(match);
        route = Lists.copy(route);
    }
}
