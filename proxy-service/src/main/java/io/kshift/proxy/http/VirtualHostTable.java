package io.kshift.proxy.http;

import io.kshift.model.routing.HostNames;
import java.util.List;
import java.util.Map;

/**
 * The routes of one HTTP listener by Host: a virtual host's exact name first (with the port, then without it), then
 * the longest wildcard suffix ({@code *.example.com}), then {@code *}, and only then a service's default route. Built once per route table; lookups do not allocate beyond the lower-cased authority. The default routes
 * are a map of their own so that a build where no service's default route changed takes the last one as it is
 * (tens of thousands of names at thousands of services). {@code ported}: whether some exact name has a port (a
 * Gateway API Service parent's, for one port of the Service); only then does a Host without a port also look for
 * its port 80 name.
 */
public record VirtualHostTable(Map<String, List<HttpRouteEntry>> exact, Map<String, List<HttpRouteEntry>> defaults,
                               List<Map.Entry<String, List<HttpRouteEntry>>> wildcards, List<HttpRouteEntry> any,
                               boolean ported) {

    public static final VirtualHostTable EMPTY = new VirtualHostTable(Map.of(), List.of(), null);

    public VirtualHostTable(Map<String, List<HttpRouteEntry>> exact,
                            List<Map.Entry<String, List<HttpRouteEntry>>> wildcards, List<HttpRouteEntry> any) {
        this(exact, Map.of(), wildcards, any);
    }

    /** {@code ported} read off the names. */
    public VirtualHostTable(Map<String, List<HttpRouteEntry>> exact, Map<String, List<HttpRouteEntry>> defaults,
                            List<Map.Entry<String, List<HttpRouteEntry>>> wildcards, List<HttpRouteEntry> any) {
        this(exact, defaults, wildcards, any, exact.keySet().stream().anyMatch(VirtualHostTable::hasPort));
    }

    static boolean hasPort(String name) {
        return name.indexOf(':') > 0 && !name.startsWith("[");
    }

    /**
     * The routes for a request's Host / :authority, or null when no virtual host serves it. A virtual host, by exact
     * name, then longest wildcard, then {@code *}, comes before a service's default route: Istio applies a
     * VirtualService whose wildcard host covers a service to that service instead of its default.
     */
    List<HttpRouteEntry> routes(String authority) {
        String withPort = authority == null ? "" : authority.toLowerCase(java.util.Locale.ROOT);
        String host = HostNames.withoutPort(withPort);
        List<HttpRouteEntry> routes;
        // A name with its port is a route's for that port alone (a Gateway API Service parent's): it comes first.
        if (host.length() != withPort.length() ? (routes = exact.get(withPort)) != null
                : ported && (routes = exact.get(host + ":80")) != null) {
            return routes;
        }
        routes = exact.get(host);
        if (routes != null) {
            return routes;
        }
        for (Map.Entry<String, List<HttpRouteEntry>> w : wildcards) {
            if (host.endsWith(w.getKey())) {
                return w.getValue();
            }
        }
        if (any != null || defaults.isEmpty()) {
            return any;
        }
        // The name with the port the Host gives first, then the bare name (a one-port service's, whatever port the
        // client wrote); a Host without a port is port 80's (a multi-port service's port 80 route).
        boolean portless = host.length() == withPort.length();
        routes = portless ? null : defaults.get(withPort);
        if (routes == null) {
            routes = defaults.get(host);
        }
        if (routes == null && portless) {
            routes = defaults.get(host + ":80");
        }
        if (routes != null && !wildcards.isEmpty() && !routes.isEmpty() && !routes.get(0).targets().isEmpty()) {
            // Addressed by a short name (api, api.shop:9080): a wildcard covering the service's full name claims it.
            String service = routes.get(0).targets().get(0).destination().service();
            for (Map.Entry<String, List<HttpRouteEntry>> w : wildcards) {
                if (service.endsWith(w.getKey())) {
                    return w.getValue();
                }
            }
        }
        return routes;
    }

    boolean isEmpty() {
        return exact.isEmpty() && defaults.isEmpty() && wildcards.isEmpty() && any == null;
    }
}
