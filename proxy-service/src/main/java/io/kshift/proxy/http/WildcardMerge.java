package io.kshift.proxy.http;

import io.kshift.model.resource.ResourceKey;
import io.kshift.model.routing.HttpBindings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Gateway API's rule for routes whose hostnames overlap: a request is matched against the rules of every route
 * whose hostnames cover its host, by precedence, so a route for {@code *.com} (or one with no hostnames) still serves
 * {@code example.com/v2} where a route for {@code example.com} has only {@code /} (the conformance test
 * HTTPRouteMatchingAcrossRoutes). Envoy matches one virtual host per request, so a name's list must carry the
 * covering wildcards' routes. Only Gateway API routes merge so, and only those of the same Gateway; Istio's
 * VirtualServices keep Envoy's rule, where the most specific host alone serves (as Istio documents).
 */
final class WildcardMerge {
    private WildcardMerge() {
    }

    /**
     * Adds to {@code several} (a name's virtual hosts when more than one) the Gateway API hosts of each wildcard
     * name ({@code *.suffix} or {@code *}) that covers a name of {@code first} with Gateway API hosts of the same
     * Gateway, in the order of {@code order} (oldest route first). Returns whether it added any.
     */
    static boolean mergeInto(Map<String, CompiledHosts.Compiled> first,
                             Map<String, List<CompiledHosts.Compiled>> several,
                             List<HttpBindings.VirtualHost> order) {
        List<Map.Entry<String, List<CompiledHosts.Compiled>>> covering = new ArrayList<>();
        for (String name : first.keySet()) {
            if (name.equals("*") || name.startsWith("*.")) {
                List<CompiledHosts.Compiled> ranked = hostsOf(name, first, several).stream()
                        .filter(c -> c.host().ranked()).toList();
                if (!ranked.isEmpty()) {
                    covering.add(Map.entry(name, ranked));
                }
            }
        }
        if (covering.isEmpty()) {
            return false;
        }
        // By resource, not by object: a host reused from the last build holds the last build's VirtualHost.
        Map<ResourceKey, Integer> position = new java.util.HashMap<>();
        for (int i = 0; i < order.size(); i++) {
            position.putIfAbsent(order.get(i).source(), i);
        }
        boolean added = false;
        for (String name : List.copyOf(first.keySet())) {
            if (VirtualHostTable.hasPort(name)) {
                continue;
            }
            List<CompiledHosts.Compiled> own = hostsOf(name, first, several);
            Set<ResourceKey> gateways = new java.util.HashSet<>();
            own.stream().filter(c -> c.host().ranked()).forEach(c -> gateways.add(c.host().gateway()));
            if (gateways.isEmpty()) {
                continue;
            }
            Set<CompiledHosts.Compiled> seen = Collections.newSetFromMap(new IdentityHashMap<>());
            seen.addAll(own);
            List<CompiledHosts.Compiled> all = new ArrayList<>(own);
            for (Map.Entry<String, List<CompiledHosts.Compiled>> w : covering) {
                if (covers(w.getKey(), name)) {
                    for (CompiledHosts.Compiled c : w.getValue()) {
                        if (gateways.contains(c.host().gateway()) && seen.add(c)) {
                            all.add(c);
                        }
                    }
                }
            }
            if (all.size() > own.size()) {
                all.sort(Comparator.comparingInt(c -> position.getOrDefault(c.host().source(), Integer.MAX_VALUE)));
                several.put(name, all);
                added = true;
            }
        }
        return added;
    }

    /** Whether wildcard name {@code wildcard} ({@code *} or {@code *.suffix}) covers the other name {@code name}. */
    static boolean covers(String wildcard, String name) {
        if (wildcard.equals(name)) {
            return false;
        }
        if (wildcard.equals("*")) {
            return true;
        }
        String suffix = wildcard.substring(1); // ".example.com": one label or more before it
        return name.length() > suffix.length() + (name.startsWith("*.") ? 1 : 0) && name.endsWith(suffix);
    }

    private static List<CompiledHosts.Compiled> hostsOf(String name, Map<String, CompiledHosts.Compiled> first,
                                                        Map<String, List<CompiledHosts.Compiled>> several) {
        List<CompiledHosts.Compiled> more = several.get(name);
        return more != null ? more : List.of(first.get(name));
    }
}
