package io.kshift.proxy.http;

import io.kshift.proxy.status.NodeResource.HttpRouteView;
import io.kshift.proxy.status.NodeResource.HttpTargetView;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The routes of one HTTP listener for the node view, each once (a route serves every name of its virtual host). */
public final class HttpRoutesView {
    private HttpRoutesView() {
    }

    public static List<HttpRouteView> of(String listener, VirtualHostTable hosts) {
        Set<HttpRouteEntry> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<HttpRouteView> out = new ArrayList<>();
        List<List<HttpRouteEntry>> all = new ArrayList<>(hosts.exact().values());
        hosts.wildcards().stream().map(Map.Entry::getValue).forEach(all::add);
        if (hosts.any() != null) {
            all.add(hosts.any());
        }
        for (List<HttpRouteEntry> routes : all) {
            for (HttpRouteEntry r : routes) {
                if (r.source() != null && seen.add(r)) {
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
