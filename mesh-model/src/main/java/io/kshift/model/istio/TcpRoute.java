package io.kshift.model.istio;

import io.kshift.model.Lists;
import jakarta.validation.Valid;
import java.util.List;

/** One {@code spec.tcp[]} entry: match conditions OR-ed, then weighted destinations. */
public record TcpRoute(List<@Valid L4MatchAttributes> match, List<@Valid RouteDestination> route) {
    public TcpRoute {
        match = Lists.copy(match);
        route = Lists.copy(route);
    }
}
