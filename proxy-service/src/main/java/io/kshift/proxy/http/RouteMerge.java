package io.kshift.proxy.http;

import io.kshift.model.routing.HttpBindings;
import io.kshift.model.routing.RoutePrecedence;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * How the routes of several resources for one host on one listener become that host's one list. VirtualServices
 * merge as Istio merges them on a gateway: each one's routes in the order written, oldest resource first; on the
 * mesh listener only the oldest VirtualService serves a host (Istio's sidecars do not merge). Gateway API routes
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

    /** The routes of the hosts (in age order) that claim one name. */
    static List<HttpRouteEntry> merge(List<CompiledHosts.Compiled> hosts, boolean mesh) {
        List<HttpRouteEntry> out = new ArrayList<>();
        List<Item> ranked = new ArrayList<>();
        boolean virtualService = false;
        for (CompiledHosts.Compiled host : hosts) {
            if (host.host().ranked()) {
                for (int i = 0; i < host.routes().size(); i++) {
                    ranked.add(new Item(host.routes().get(i), host.ranks().get(i)));
                }
            } else if (!mesh || !virtualService) {
                out.addAll(host.routes());
                virtualService = true;
            }
        }
        out.addAll(sorted(ranked).routes());
        return List.copyOf(out);
    }

    private record Item(HttpRouteEntry route, RoutePrecedence.Rank rank) {
    }

    private static Ranked sorted(List<Item> items) {
        // List.sort is stable: what ties keeps the age and rule order it came in.
        items.sort(Comparator.comparing(Item::rank, RoutePrecedence.FIRST));
        return new Ranked(items.stream().map(Item::route).toList(), items.stream().map(Item::rank).toList());
    }
}
