package io.kshift.proxy.http;

import io.kshift.model.routing.HttpBindings;
import io.kshift.model.routing.RoutePrecedence;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * How the routes of several resources for one host on one listener become that host's one list. VirtualServices
 * merge as Istio merges them on a gateway: each one's routes in the order written, oldest resource first, and the
 * routes that match everything after all the others (so a default route in one does not hide another's specific
 * routes); on the mesh listener only the oldest VirtualService serves a host (Istio's sidecars do not merge). Gateway API routes
 * (HTTPRoute, GRPCRoute) merge by precedence, match by match ({@link RoutePrecedence}), ties in age order; they
 * follow the VirtualServices' routes when both serve a host.
 */
final class RouteMerge {
    private RouteMerge() {
    }

    /** A Gateway API host's routes, one per match, most specific first, with their ranks. */
    record Ranked(List<HttpRouteEntry> routes, List<RoutePrecedence.Rank> ranks) {
    }

    /** {@code routes}: compiled from {@code vh}'s rules, one for each, in order (Gateway API rules skip none). */
    static Ranked ranked(HttpBindings.VirtualHost vh, List<HttpRouteEntry> routes) {
        if (routes.size() != vh.ranks().size()) {
            throw new IllegalStateException(vh.source() + ": " + routes.size() + " routes for " + vh.ranks().size()
                    + " ranked rules");
        }
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < routes.size(); i++) {
            HttpRouteEntry route = routes.get(i);
            List<RoutePrecedence.Rank> ranks = vh.ranks().get(i);
            if (route.match().size() != ranks.size()) {
                // No matches (the catch-all), or one the table did not keep: the rule as it is, ranked by its first.
                items.add(new Item(route, ranks.get(0)));
            } else {
                for (int m = 0; m < ranks.size(); m++) {
                    items.add(new Item(route.match().size() == 1 ? route : route.withMatch(List.of(route.match()
                            .get(m))), ranks.get(m)));
                }
            }
        }
        return sorted(items);
    }

    /**
     * The routes of the hosts (in age order) that claim one name. A resource bound to two gateways of the port
     * compiles once for each: a VirtualService's copies differ (each keeps the match blocks its gateway admits)
     * and both are merged, as Istio merges them; a Gateway API route's are the same, and it is ranked once.
     */
    static List<HttpRouteEntry> merge(List<CompiledHosts.Compiled> hosts, boolean mesh, int port) {
        List<CompiledHosts.Compiled> services = new ArrayList<>();
        List<Item> ranked = new ArrayList<>();
        java.util.Set<io.kshift.model.resource.ResourceKey> rankedSources = new java.util.HashSet<>();
        for (CompiledHosts.Compiled host : hosts) {
            if (host.host().ranked()) {
                if (rankedSources.add(host.host().source())) {
                    for (int i = 0; i < host.routes().size(); i++) {
                        ranked.add(new Item(host.routes().get(i), host.ranks().get(i)));
                    }
                }
            } else if (!mesh || services.isEmpty()) {
                services.add(host);
            }
        }
        List<HttpRouteEntry> out = new ArrayList<>();
        if (services.size() == 1) {
            out.addAll(services.get(0).routes());
        } else {
            // Istio's CombineVHostRoutes: the routes of every VirtualService in order, catch-all ones last.
            List<HttpRouteEntry> catchAll = new ArrayList<>();
            for (CompiledHosts.Compiled host : services) {
                splitCatchAll(host, port, out, catchAll);
            }
            out.addAll(catchAll);
        }
        out.addAll(sorted(ranked).routes());
        return List.copyOf(out);
    }

    /**
     * A host's routes to {@code out} up to its first match block that is catch-all on listener port {@code port}
     * ({@link RoutePrecedence#catchAll}), which goes to the other; what follows it is dropped, as Istio stops
     * building a VirtualService's routes at its first catch-all (a later route would never be reached in the
     * VirtualService alone, and must not be reached because the merge moved the catch-all behind another's routes).
     */
    private static void splitCatchAll(CompiledHosts.Compiled host, int port, List<HttpRouteEntry> out,
                                      List<HttpRouteEntry> catchAll) {
        HttpBindings.VirtualHost vh = host.host();
        java.util.Map<String, io.kshift.model.istio.HttpRoute> byField = new java.util.HashMap<>();
        for (int i = 0; i < vh.routes().size(); i++) {
            byField.put(vh.fieldOf(i), vh.routes().get(i));
        }
        for (HttpRouteEntry entry : host.routes()) {
            io.kshift.model.istio.HttpRoute route = byField.get(entry.field());
            if (route == null) {
                out.add(entry);
                continue;
            }
            if (route.match().isEmpty()) {
                catchAll.add(entry);
                return;
            }
            // The blocks the table kept are the route's matches this listener admits, in order.
            List<io.kshift.model.istio.HttpMatchRequest> kept = route.match().stream()
                    .filter(m -> vh.admits(m.gateways())).toList();
            List<MatchBlock> specific = new ArrayList<>();
            List<MatchBlock> everything = new ArrayList<>();
            for (int b = 0; b < entry.match().size() && b < kept.size() && everything.isEmpty(); b++) {
                (RoutePrecedence.catchAll(kept.get(b), port) ? everything : specific).add(entry.match().get(b));
            }
            if (everything.isEmpty()) {
                out.add(entry);
            } else {
                if (!specific.isEmpty()) {
                    out.add(entry.withMatch(List.copyOf(specific)));
                }
                catchAll.add(entry.withMatch(List.of(everything.get(0))));
                return;
            }
        }
    }

    private record Item(HttpRouteEntry route, RoutePrecedence.Rank rank) {
    }

    private static Ranked sorted(List<Item> items) {
        // List.sort is stable: what ties keeps the age and rule order it came in.
        items.sort(Comparator.comparing(Item::rank, RoutePrecedence.FIRST));
        return new Ranked(items.stream().map(Item::route).toList(), items.stream().map(Item::rank).toList());
    }
}
