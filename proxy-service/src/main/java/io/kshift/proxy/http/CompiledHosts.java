package io.kshift.proxy.http;

import io.kshift.model.registry.ResolvedDestination;
import io.kshift.model.routing.HttpBindings;
import io.kshift.proxy.routing.Destinations;
import io.kshift.proxy.routing.WeightedPicker;
import java.util.List;
import java.util.Map;

/**
 * The compiled routes of every virtual host of a route table, kept for the next build: a virtual host whose
 * resource is unchanged and whose destinations all resolve as before is taken as it is (its routes, targets and
 * pickers, with their positions), so a push that touches one service compiles that service's routes only.
 */
public final class CompiledHosts {
    public static final CompiledHosts NONE = new CompiledHosts(Map.of(), Map.of(), List.of(), Map.of(), null);

    /**
     * Where a virtual host is served from: the listener, the resource and gateway it comes from, its domains. Cheap to hash;
     * the whole virtual host is compared on a hit (mostly by identity: unchanged resources are decoded once).
     */
    record Key(String listener, io.kshift.model.resource.ResourceKey source,
               io.kshift.model.resource.ResourceKey gateway, List<String> domains) {
        static Key of(String listener, HttpBindings.VirtualHost host) {
            return new Key(listener, host.source(), host.gateway(), host.domains());
        }
    }

    /**
     * A compiled virtual host, what its destinations resolved to when it was compiled, its routes and their
     * pickers, and the host names it answers to (its domains expanded once: a reused host adds no new strings,
     * whose hashes the table would compute again). A Gateway API host has one route per match, most specific
     * first, each with its rank ({@code ranks[i]} for {@code routes[i]}), so hosts merge by rank; others have none.
     */
    record Compiled(HttpBindings.VirtualHost host, List<ResolvedDestination> resolved, List<HttpRouteEntry> routes,
                    Map<Destinations.PickerKey, WeightedPicker> pickers, List<String> names,
                    List<io.kshift.model.routing.RoutePrecedence.Rank> ranks) {
    }

    /**
     * A service port's default mesh route (Istio's, for services no VirtualService claims), its destination, and
     * the names it answers to.
     */
    record Default(ResolvedDestination destination, List<HttpRouteEntry> routes, List<String> names) {
    }

    /** A service port with a default route; hashes by the host's cached hash, unlike a "host:port" string. */
    record DefaultKey(String host, int port) {
    }

    final Map<Key, Compiled> hosts;
    final Map<DefaultKey, Default> defaults;
    /** The mesh table's default routes in the order they were given names, and the map of those names. */
    final List<Default> defaultOrder;
    final Map<String, List<HttpRouteEntry>> defaultTable;
    /** The mesh port's table as this build left it, for the next to patch ({@link MeshPatch}); null: it cannot. */
    final MeshPart mesh;

    /**
     * The mesh port's table and what it was made of: the Sidecar scope it was built for, its virtual hosts by the
     * resource each comes from, its exact names (the table's own map, never changed after the build) and those of
     * them served by more than one virtual host (merged).
     */
    record MeshPart(io.kshift.model.routing.SidecarScope imported,
                    Map<io.kshift.model.resource.ResourceKey, Compiled> bySource,
                    Map<String, List<HttpRouteEntry>> exact, java.util.Set<String> merged, VirtualHostTable table) {
    }

    CompiledHosts(Map<Key, Compiled> hosts, Map<DefaultKey, Default> defaults, List<Default> defaultOrder,
                  Map<String, List<HttpRouteEntry>> defaultTable, MeshPart mesh) {
        this.hosts = hosts;
        this.defaults = defaults;
        this.defaultOrder = defaultOrder;
        this.defaultTable = defaultTable;
        this.mesh = mesh;
    }

    public int size() {
        return hosts.size();
    }
}
