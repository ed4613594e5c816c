package io.kshift.proxy.http;

import io.kshift.proxy.status.NodeResource.HttpRouteView;
import io.kshift.proxy.status.NodeResource.HttpTargetView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The routes of one HTTP listener for the node view, each once: a route serves every name of its virtual host, a
 * Gateway API rule is one entry per match, and a VirtualService on two gateways of a port compiles twice; all of
 * them one route, by resource and field.
 */
public final class HttpRoutesView {
    private HttpRoutesView() {
    }

    public static List<HttpRouteView> of(String listener, VirtualHostTable hosts) {
        Set<String> seen = new java.util.HashSet<>();
        List<HttpRouteView> out = new ArrayList<>();
        List<List<HttpRouteEntry>> all = new ArrayList<>(hosts.exact().values());
        hosts.wildcards().stream().map(Map.Entry::getValue).forEach(all::add);
        if (hosts.any() != null) {
            all.add(hosts.any());
        }
        for (List<HttpRouteEntry> routes : all) {
            for (HttpRouteEntry r : routes) {
                if (r.source() != null && seen.add(r.source() + " " + r.field())) {
                    out.add(new HttpRouteView(listener, r.source().toString(), r.field(), r.targets().stream()
                            .map(t -> new HttpTargetView(t.destination().service(), t.destination().subset(),
                                    t.destination().version(), t.weight(), t.requests().sum())).toList()));
                }
            }
        }
        out.sort(java.util.Comparator.comparing(HttpRouteView::source).thenComparing(HttpRouteView::field));
        return out;
    }
}
