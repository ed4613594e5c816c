package io.kshift.model.gateway;

import io.kshift.model.Lists;
import jakarta.validation.Valid;
import java.util.List;

/** An HTTPRoute rule: matches (OR-ed; none means prefix {@code /}), filters, weighted backends, timeouts, retry. */
public record HttpRouteRule(String name, List<@Valid HttpRouteMatch> matches, List<@Valid HttpRouteFilter> filters,
                            List<@Valid BackendRef> backendRefs, @Valid Timeouts timeouts, @Valid Retry retry,
                            @Valid SessionPersistence sessionPersistence) {
    public HttpRouteRule {
        matches = Lists.copy(matches);
        filters = Lists.copy(filters);
        backendRefs = Lists.copy(backendRefs);
    }

    public HttpRouteRule(String name, List<HttpRouteMatch> matches, List<HttpRouteFilter> filters,
                         List<BackendRef> backendRefs, Timeouts timeouts) {
        this(name, matches, filters, backendRefs, timeouts, null, null);
    }

    public HttpRouteRule(String name, List<HttpRouteMatch> matches, List<HttpRouteFilter> filters,
                         List<BackendRef> backendRefs, Timeouts timeouts, Retry retry) {
        this(name, matches, filters, backendRefs, timeouts, retry, null);
    }

    /**
     * GEP-1731 retries: the answer codes retried ({@code codes}, 400-599; connection errors are retried whenever a
     * retry is configured), how many retries at most ({@code attempts}; unset: 2, as Istio's and Envoy Gateway's
     * default) and the least wait before each ({@code backoff}).
     */
    public record Retry(List<@jakarta.validation.constraints.Min(value = 400, message = "must be 400 to 599")
                        @jakarta.validation.constraints.Max(value = 599, message = "must be 400 to 599") Integer> codes,
                        @jakarta.validation.constraints.PositiveOrZero(message = "must not be negative") Integer attempts,
                        @io.kshift.model.constraint.IstioDurationValue String backoff) {
        public Retry {
            codes = Lists.copy(codes);
        }
    }

    /**
     * GEP-1742 timeouts: the whole request, and each request to a backend; {@code 0s} turns one off ("to disable
     * the request timeout, set the request field to 0s", the API's guide).
     */
    public record Timeouts(@io.kshift.model.constraint.IstioDurationValue(zeroAllowed = true) String request,
                           @io.kshift.model.constraint.IstioDurationValue(zeroAllowed = true) String backendRequest) {
    }
}
