package io.kshift.proxy.http;

import io.kshift.model.routing.HostNames;
import java.util.List;
import java.util.Map;

/**
 * The routes of one HTTP listener by Host: an exact name first, then the longest wildcard suffix
 * ({@code *.example.com}), then {@code *}. Built once per route table; lookups do not allocate beyond the
 * lower-cased host.
 */
public record VirtualHostTable(Map<String, List<HttpRouteEntry>> exact, List<Map.Entry<String, List<HttpRouteEntry>>> wildcards,
                        List<HttpRouteEntry> any) {

    public static final VirtualHostTable EMPTY = new VirtualHostTable(Map.of(), List.of(), null);

    /** The routes for a request's Host / :authority, or null when no virtual host serves it. */
    List<HttpRouteEntry> routes(String authority) {
        String host = HostNames.withoutPort(authority);
        List<HttpRouteEntry> routes = exact.get(host);
        if (routes == null && authority != null) {
            routes = exact.get(authority.toLowerCase(java.util.Locale.ROOT));
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

    boolean isEmpty() {
        return exact.isEmpty() && wildcards.isEmpty() && any == null;
    }
}
