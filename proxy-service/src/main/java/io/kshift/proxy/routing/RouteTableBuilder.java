package io.kshift.proxy.routing;

import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.registry.DestinationResolver;
import io.kshift.model.registry.ResolvedDestination;
import io.kshift.model.routing.BoundRoute;
import io.kshift.model.routing.ListenerBinding;
import io.kshift.model.routing.ListenerBindings;
import io.kshift.model.routing.WeightedTarget;
import io.kshift.proxy.http.HttpTableBuilder;
import io.kshift.proxy.telemetry.Telemetry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * The one place a snapshot becomes a {@link RouteTable}. Trusts validated input: the validator already proved every
 * bound target resolves; a target that somehow does not is left out rather than failing the whole table.
 */
public final class RouteTableBuilder {
    private RouteTableBuilder() {
    }

    /** A table whose stats go to a catalogue of its own (tests and tools); nodes pass theirs. */
    public static RouteTable build(MeshSnapshot snapshot, RandomGenerator random) {
        return build(snapshot, new Destinations(random, System::nanoTime, Telemetry.detached()));
    }

    public static RouteTable build(MeshSnapshot snapshot, Destinations destinations) {
        MeshConfig config = MeshConfig.of(snapshot.resources());
        DestinationResolver resolver = new DestinationResolver(config);
        Map<Integer, ListenerRoute> routes = new TreeMap<>();
        Set<Integer> ports = new TreeSet<>();
        for (ListenerBinding binding : ListenerBindings.compute(config).values()) {
            if (!"TCP".equals(binding.protocol())) {
                continue;
            }
            ports.add(binding.port());
            if (!binding.routes().isEmpty()) {
                route(binding.port(), binding.routes().get(0), resolver, destinations)
                        .ifPresent(r -> routes.put(binding.port(), r));
            }
        }
        HttpTableBuilder http = new HttpTableBuilder(config, destinations);
        var gateways = http.gateways(config);
        var mesh = http.mesh(config);
        return new RouteTable(snapshot.generation(), Map.copyOf(routes), Set.copyOf(ports), gateways, mesh,
                destinations.state());
    }

    private static java.util.Optional<ListenerRoute> route(int port, BoundRoute bound, DestinationResolver resolver,
                                                           Destinations destinations) {
        List<RouteTarget> targets = new ArrayList<>();
        for (WeightedTarget t : bound.targets()) {
            DestinationResolver.Result result = t.resolve(resolver);
            if (result.ok() && t.weight() > 0) {
                ResolvedDestination d = result.destination();
                targets.add(new RouteTarget(d, t.weight(), destinations.shared(d),
                        destinations.stats(d, "tcp:" + port, "tcp", false)));
            }
        }
        if (targets.isEmpty()) {
            return java.util.Optional.empty();
        }
        int[] weights = targets.stream().mapToInt(RouteTarget::weight).toArray();
        return java.util.Optional.of(new ListenerRoute(port, bound.source(), List.copyOf(targets),
                new WeightedPicker(weights)));
    }
}
