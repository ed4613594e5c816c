package io.kshift.proxy.http;

import io.kshift.model.istio.VirtualServiceSpec;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.registry.AffectedServices;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import io.kshift.model.resource.ResourceKey;
import io.kshift.model.routing.Delegation;
import io.kshift.model.routing.HostNames;
import io.kshift.model.routing.HttpBindings;
import io.kshift.model.routing.SidecarScope;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Whether the mesh port's table can be made from the last one by swapping a few VirtualServices' virtual hosts,
 * rather than by walking every virtual host and service of the mesh (thousands of map lookups for a one-weight
 * change). It can when only VirtualServices changed, each serving the mesh alone (no gateway, TCP or TLS routes,
 * no delegation either way), nothing in the registry or its rules changed, the Sidecar scope is the same, and every
 * host name they serve before and after is an exact name that no other virtual host serves: then no other entry of
 * the table, no default route and no other listener's table can differ from a whole build's. Anything else is
 * built whole.
 */
final class MeshPatch {
    /** More changes than this are built whole: a patch is for the few-resource changes operators make. */
    static final int MAX_CHANGED = 32;

    /** One VirtualService's virtual host on the mesh port before and after (either may be null). */
    record Swap(ResourceKey source, CompiledHosts.Compiled before, HttpBindings.VirtualHost after) {
    }

    private MeshPatch() {
    }

    /** The swaps that make this build's table from {@code last}, or null when it must be built whole. */
    static List<Swap> plan(CompiledHosts.MeshPart last, SidecarScope imported, AffectedServices affected,
                           HttpTableBuilder.Change change, MeshConfig here) {
        if (last == null || change == null || change.keys().size() > MAX_CHANGED
                || !last.imported().equals(imported) || affected == AffectedServices.ALL || affected.any()
                || !affected.hosts().isEmpty()) {
            return null;
        }
        List<Swap> swaps = new ArrayList<>();
        Set<String> freed = new HashSet<>();
        Set<String> claimed = new HashSet<>();
        for (ResourceKey key : new LinkedHashSet<>(change.keys())) {
            if (key.kind() != Kind.VIRTUAL_SERVICE || !meshOnly(change.before().get(key))
                    || !meshOnly(change.after().get(key))) {
                return null;
            }
            CompiledHosts.Compiled before = last.bySource().get(key);
            HttpBindings.VirtualHost after = here.get(key).map(vs -> HttpBindings.meshHost(here, vs))
                    .filter(vh -> imported.importsAny(vh.namespace(), vh.domains())).orElse(null);
            if (before != null) {
                for (String name : before.names()) {
                    if (!exact(name) || last.merged().contains(name)) {
                        return null;
                    }
                }
                freed.addAll(before.names());
            }
            for (String name : after == null ? List.<String>of() : names(after)) {
                if (!exact(name) || !claimed.add(name)) {
                    return null;
                }
            }
            swaps.add(new Swap(key, before, after));
        }
        for (String name : claimed) {
            if (last.exact().containsKey(name) && !freed.contains(name)) {
                return null; // another virtual host serves it too: the whole build merges them
            }
        }
        return swaps;
    }

    /** The names a virtual host answers to: its domains expanded, each once, in order. */
    static List<String> names(HttpBindings.VirtualHost vh) {
        Set<String> names = new LinkedHashSet<>();
        vh.domains().forEach(domain -> names.addAll(HostNames.expand(domain, vh.namespace())));
        return List.copyOf(names);
    }

    /** Absent, or a VirtualService whose routes are the mesh's HTTP routes alone, with no delegation. */
    private static boolean meshOnly(Optional<Resource> vs) {
        if (vs.isEmpty()) {
            return true;
        }
        VirtualServiceSpec spec = vs.get().specAs(VirtualServiceSpec.class);
        return !Delegation.isDelegate(spec) && spec.tcp().isEmpty() && spec.tls().isEmpty()
                && spec.gateways().stream().allMatch(VirtualServiceSpec.MESH_GATEWAY::equals)
                && spec.http().stream().noneMatch(route -> route.delegate() != null);
    }

    private static boolean exact(String name) {
        return !name.startsWith("*");
    }
}
