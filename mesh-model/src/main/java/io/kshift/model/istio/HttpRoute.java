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
        @Valid HttpDirectResponse directResponse,
        @Valid Delegate delegate) {

    /**
     * Istio's {@code delegate}: this route's matching requests are routed by the http routes of another
     * VirtualService (one without hosts), each matched within this route's match
     * ({@link io.kshift.model.routing.Delegation}).
     */
    public record Delegate(@jakarta.validation.constraints.NotBlank(message = "is required") String name,
                           String namespace) {
        /** The VirtualService named, from a root in {@code rootNamespace} (no namespace: the root's). */
        public io.kshift.model.resource.ResourceKey key(String rootNamespace) {
            return new io.kshift.model.resource.ResourceKey(io.kshift.model.resource.Kind.VIRTUAL_SERVICE,
                    namespace == null || namespace.isEmpty() ? rootNamespace : namespace, name);
        }
    }

    public HttpRoute(String name, List<HttpMatchRequest> match, List<HttpRouteDestination> route,
                     HttpRedirect redirect, HttpRewrite rewrite, String timeout, HttpRetry retries,
                     HttpFaultInjection fault, Destination mirror, Percent mirrorPercentage,
                     List<HttpMirrorPolicy> mirrors, Headers headers, CorsPolicy corsPolicy,
                     HttpDirectResponse directResponse) {
        this(name, match, route, redirect, rewrite, timeout, retries, fault, mirror, mirrorPercentage, mirrors,
                headers, corsPolicy, directResponse, null);
    }

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
