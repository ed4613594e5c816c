package io.kshift.model.istio;

import io.kshift.model.Lists;
import io.kshift.model.constraint.IstioDurationValue;
import jakarta.validation.Valid;
import java.util.List;

/**
 * One {@code spec.http[]} entry: match blocks (OR-ed; none matches everything), then weighted destinations, a
 * redirect or a direct response, with the per-route policies Envoy applies on the way: fault, rewrite, headers, timeout, retries
 * and mirroring.
 */
public record HttpRoute(
        String name,
        List<@Valid HttpMatchRequest> match,
        List<@Valid HttpRouteDestination> route,
        @Valid HttpRedirect redirect,
        @Valid HttpRewrite rewrite,
        @IstioDurationValue String timeout,
        @Valid HttpRetry retries,
        @Valid HttpFaultInjection fault,
        @Valid Destination mirror,
        @Valid Percent mirrorPercentage,
        List<@Valid HttpMirrorPolicy> mirrors,
        @Valid Headers headers,
        @Valid CorsPolicy corsPolicy,
        @Valid HttpDirectResponse directResponse) {

    public HttpRoute {
        match = Lists.copy(match);
        route = Lists.copy(route);
        mirrors = Lists.copy(mirrors);
    }

    /** Whether every request reaches this route's actions (no match block, or one with no condition). */
    public boolean matchesEverything() {
        return match.isEmpty() || match.stream().anyMatch(HttpMatchRequest::matchesEverything);
    }

    /** {@code mirror} + {@code mirrorPercentage} and {@code mirrors[]} as one list (Istio allows either). */
    public List<HttpMirrorPolicy> allMirrors() {
        if (mirror == null) {
            return mirrors;
        }
        List<HttpMirrorPolicy> all = new java.util.ArrayList<>();
        all.add(new HttpMirrorPolicy(mirror, mirrorPercentage));
        all.addAll(mirrors);
        return List.copyOf(all);
    }
}
