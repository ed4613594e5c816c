package io.kshift.model.gateway;

import io.kshift.model.Lists;
import jakarta.validation.Valid;
import java.util.List;

/** An HTTPRoute rule: matches (OR-ed; none means prefix {@code /}), filters, weighted backends, timeouts. */
public record HttpRouteRule(String name, List<@Valid HttpRouteMatch> matches, List<@Valid HttpRouteFilter> filters,
                            List<@Valid BackendRef> backendRefs, @Valid Timeouts timeouts) {
    public HttpRouteRule {
        matches = Lists.copy(matches);
        filters = Lists.copy(filters);
        backendRefs = Lists.copy(backendRefs);
    }

    /** GEP-1742 timeouts: the whole request, and each request to a backend. */
    public record Timeouts(@io.kshift.model.constraint.IstioDurationValue String request,
                           @io.kshift.model.constraint.IstioDurationValue String backendRequest) {
    }
}
