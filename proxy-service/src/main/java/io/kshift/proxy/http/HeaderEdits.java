package io.kshift.proxy.http;

import io.kshift.model.istio.HeaderOperations;
import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Map;

/** Compiled header operations, applied as Envoy does: remove, then set (replace), then add (append). */
record HeaderEdits(List<String> remove, Map<String, String> set, Map<String, String> add) {
    static final HeaderEdits NONE = new HeaderEdits(List.of(), Map.of(), Map.of());

    static HeaderEdits of(HeaderOperations ops) {
        if (ops == null || ops.isEmpty()) {
            return NONE;
        }
        // Host is never removed, as Istio drops it from remove lists: the request upstream must carry one (a
        // Gateway API RequestHeaderModifier may name it; a VirtualService that does is refused).
        List<String> remove = ops.remove().stream().anyMatch("host"::equalsIgnoreCase)
                ? ops.remove().stream().filter(n -> !n.equalsIgnoreCase("host")).toList() : ops.remove();
        return new HeaderEdits(remove, ops.set(), ops.add());
    }

    void applyTo(MultiMap headers) {
        if (isEmpty()) {
            return; // most routes and targets: no iterators or method references made per request for nothing
        }
        remove.forEach(headers::remove);
        set.forEach(headers::set);
        add.forEach(headers::add);
    }

    /**
     * A route's and its chosen destination's edits, in Envoy's order as Istio configures it: with one destination
     * Istio merges both into the route's (the route's first, so the destination's set wins); with several, the
     * destination's go on its weighted cluster, which Envoy applies before the route's (the route's set wins, and
     * the route's remove takes what a destination added).
     */
    static void applyTo(MultiMap headers, HeaderEdits route, HeaderEdits destination, boolean weighted) {
        if (weighted) {
            destination.applyTo(headers);
            route.applyTo(headers);
        } else if (destination.isEmpty()) {
            route.applyTo(headers);
        } else {
            // One header list in Envoy: every remove first, then the route's sets and adds, then the destination's.
            route.remove.forEach(headers::remove);
            destination.remove.forEach(headers::remove);
            route.set.forEach(headers::set);
            route.add.forEach(headers::add);
            destination.set.forEach(headers::set);
            destination.add.forEach(headers::add);
        }
    }

    boolean isEmpty() {
        return remove.isEmpty() && set.isEmpty() && add.isEmpty();
    }
}
