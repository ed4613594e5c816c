package io.kshift.proxy.http;

import io.kshift.model.routing.HostNames;
import java.util.List;
import java.util.Map;

/**
 * The routes of one HTTP listener by Host: an exact name first (a virtual host's, else a service's default route,
 * for the name without the port and then with it), then the longest wildcard suffix ({@code *.example.com}), then
 * {@code *}. Built once per route table; lookups do not allocate beyond the lower-cased host. The default routes
 * are a map of their own so that a build where no service's default route changed takes the last one as it is
 * (tens of thousands of names at thousands of services).
 */
public record VirtualHostTable(Map<String, List<HttpRouteEntry>> exact, Map<String, List<HttpRouteEntry>> defaults,
                               List<Map.Entry<String, List<HttpRouteEntry>>> wildcards, List<HttpRouteEntry> any) {

    public static final VirtualHostTable EMPTY = new VirtualHostTable(Map.of(), List.of(), null);

    public VirtualHostTable(Map<String, List<HttpRouteEntry>> exact,
                            List<Map.Entry<String, List<HttpRouteEntry>>> wildcards, List<HttpRouteEntry> any) {
        this(exact, Map.of(), wildcards, any);
    }

    /** The routes for a request's Host / :authority, or null when no virtual host serves it. */
    List<HttpRouteEntry> routes(String authority) {
        String host = HostNames.withoutPort(authority);
        List<HttpRouteEntry> routes = exact(host);
        if (routes == null && authority != null) {
            routes = exact(authority.toLowerCase(java.util.Locale.ROOT));
        }
        if (routes != null) {
            return routes;
        }
        for (Map.Entry<String, List<HttpRouteEntry>> w : wildcards) {
            if (host.endsWith(w.getKey())) {
                return w.getValue();
            }
        }
        return any;
    }

    /** A virtual host's routes for exactly {@code name}, else a default route's. */
    private List<HttpRouteEntry> exact(String name) {
        List<HttpRouteEntry> routes = exact.get(name);
        return routes != null ? routes : defaults.get(name);
    }

    boolean isEmpty() {
        return exact.isEmpty() && defaults.isEmpty() && wildcards.isEmpty() && any == null;
    }
}
