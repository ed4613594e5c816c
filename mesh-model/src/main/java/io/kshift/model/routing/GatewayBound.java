package io.kshift.model.routing;

import io.kshift.model.istio.VirtualServiceSpec;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import io.kshift.model.resource.ResourceKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The VirtualServices bound to an Istio Gateway (naming it in {@code gateways}), oldest first: what a gateway's
 * ports are built from. Indexed in one walk over the VirtualServices and kept with them ({@link MeshConfig#derived}),
 * so a change to anything else costs nothing here and building N gateway ports does not walk them N times.
 */
final class GatewayBound {
    private record Name(String namespace, String name) {
    }

    private GatewayBound() {
    }

    /** The VirtualServices that name {@code gateway} ({@link ListenerBindings#names}), each once, oldest first. */
    static List<Resource> virtualServices(MeshConfig config, ResourceKey gateway) {
        // config.oldestFirst is the same slice's list the memo is kept with: the index is the slice's alone.
        Map<Name, List<Resource>> index = config.derived(Kind.VIRTUAL_SERVICE, GatewayBound.class,
                inKeyOrder -> index(config.oldestFirst(Kind.VIRTUAL_SERVICE)));
        return index.getOrDefault(new Name(gateway.namespace(), gateway.name()), List.of());
    }

    private static Map<Name, List<Resource>> index(List<Resource> oldestFirst) {
        Map<Name, List<Resource>> index = new HashMap<>();
        for (Resource vs : oldestFirst) {
            for (String reference : vs.specAs(VirtualServiceSpec.class).gateways()) {
                for (var candidate : io.kshift.model.istio.GatewayRefs.candidates(reference, vs.namespace())) {
                    Name name = new Name(candidate.namespace(), candidate.name());
                    List<Resource> bound = index.computeIfAbsent(name, n -> new ArrayList<>());
                    if (bound.isEmpty() || bound.get(bound.size() - 1) != vs) { // named twice: listed once
                        bound.add(vs);
                    }
                }
            }
        }
        index.replaceAll((n, list) -> List.copyOf(list));
        return Map.copyOf(index);
    }
}
