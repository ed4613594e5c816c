package io.kshift.model.routing;

import io.kshift.model.istio.SidecarSpec;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a node's mesh port imports, by the Istio {@code Sidecar} that applies to it: among the Sidecars of the
 * node's namespace, the oldest whose {@code workloadSelector} its labels satisfy, else the one without a selector,
 * else the root namespace's one without a selector ({@code istio-system}, Istio's default root). None: every host
 * (Istio's default). An egress host {@code ns/dnsName} imports the hosts named {@code dnsName} (a wildcard covers
 * its subdomains) of namespace {@code ns} ({@code .}: the node's own, so a root-namespace default {@code ./*}
 * means "each namespace's own hosts"; {@code *}: any; {@code ~}: none). A Sidecar without egress imports every host.
 * VirtualServices are imported by their namespace and hosts, services by theirs; the destinations of an imported
 * VirtualService are reached whether or not they are imported, as Istio adds them to the sidecar's scope.
 */
public record SidecarScope(String namespace, List<String> hosts) {
    public static final String ROOT_NAMESPACE = io.kshift.model.registry.DestinationResolver.ROOT_NAMESPACE;

    /** Imports everything: no Sidecar applies. */
    public static final SidecarScope EVERYTHING = new SidecarScope(null, null);

    public static SidecarScope forNode(MeshConfig config, String namespace, Map<String, String> labels) {
        return applying(config, namespace, labels).map(s -> s.specAs(SidecarSpec.class).egress())
                .filter(egress -> !egress.isEmpty())
                .map(egress -> new SidecarScope(namespace, egress.stream().flatMap(e -> e.hosts().stream())
                        .toList())).orElse(new SidecarScope(namespace, null)); // all, but whose node it is kept
    }

    /** The Sidecar that applies to a node of {@code namespace} with {@code labels}, if any. */
    public static Optional<Resource> applying(MeshConfig config, String namespace, Map<String, String> labels) {
        List<Resource> sidecars = config.oldestFirst(Kind.SIDECAR);
        Optional<Resource> selecting = sidecars.stream().filter(s -> s.namespace().equals(namespace))
                .filter(s -> selector(s) != null && GatewaySelection.selects(selector(s), labels)).findFirst();
        return selecting.or(() -> sidecars.stream().filter(s -> s.namespace().equals(namespace))
                        .filter(s -> selector(s) == null).findFirst())
                .or(() -> sidecars.stream().filter(s -> s.namespace().equals(ROOT_NAMESPACE))
                        .filter(s -> selector(s) == null).findFirst());
    }

    /** A Sidecar's selector labels; null when it applies to its whole namespace. */
    public static Map<String, String> selector(Resource sidecar) {
        var selector = sidecar.specAs(SidecarSpec.class).workloadSelector();
        return selector == null || selector.labels().isEmpty() ? null : selector.labels();
    }

    public boolean importsAll() {
        return hosts == null;
    }

    /** Whether a host of {@code namespace} named {@code host} (which may be a wildcard) is imported. */
    public boolean imports(String namespace, String host) {
        if (hosts == null) {
            return true;
        }
        for (String h : hosts) {
            int slash = h.indexOf('/');
            String ns = h.substring(0, slash);
            String name = h.substring(slash + 1);
            boolean nsMatches = ns.equals("*") || (ns.equals(".") ? this.namespace.equals(namespace)
                    : ns.equals(namespace));
            if (nsMatches && (HostNames.matches(name, host) || HostNames.matches(host, name))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a route for {@code hosts} of {@code namespace} (a VirtualService's hosts, a mesh HTTPRoute's Services)
     * is imported: one of the names a host answers is.
     */
    public boolean importsAny(String namespace, List<String> hosts) {
        if (this.hosts == null) {
            return true;
        }
        for (String host : hosts) {
            for (String name : HostNames.expand(HostNames.withoutRoutePort(host), namespace)) {
                if (imports(namespace, name)) {
                    return true;
                }
            }
        }
        return false;
    }
}
