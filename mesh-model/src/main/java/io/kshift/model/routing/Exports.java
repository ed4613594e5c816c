package io.kshift.model.routing;

import io.kshift.model.istio.DestinationRuleSpec;
import io.kshift.model.istio.ServiceEntrySpec;
import io.kshift.model.istio.VirtualServiceSpec;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import java.util.Arrays;
import java.util.List;

/**
 * Istio's {@code exportTo}: which namespaces' proxies see a VirtualService, DestinationRule, ServiceEntry or
 * Service (the latter by its {@code networking.istio.io/exportTo} annotation). Empty is every namespace (Istio's
 * default); {@code .} the resource's own; {@code ~} none. A node sees what is exported to its namespace
 * ({@code kshift.proxy.namespace}), on its gateway ports and its mesh port alike, as an Istio gateway in
 * {@code istio-system} does not see a VirtualService exported only to {@code .} of another namespace.
 */
public final class Exports {
    /** The annotation by which a Kubernetes Service limits its visibility. */
    public static final String SERVICE_ANNOTATION = "networking.istio.io/exportTo";

    private Exports() {
    }

    /** The resource's exportTo list; empty for kinds without one. */
    public static List<String> of(Resource r) {
        return switch (r.type()) {
            case VIRTUAL_SERVICE -> r.specAs(VirtualServiceSpec.class).exportTo();
            case DESTINATION_RULE -> r.specAs(DestinationRuleSpec.class).exportTo();
            case SERVICE_ENTRY -> r.specAs(ServiceEntrySpec.class).exportTo();
            case SERVICE -> annotation(r.metadata().annotations().get(SERVICE_ANNOTATION));
            default -> List.of();
        };
    }

    /** The annotation's value as a list: comma-separated, blanks and empty entries ignored (as Istio reads it). */
    public static List<String> annotation(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return Arrays.stream(value.split(",")).map(String::trim).filter(e -> !e.isEmpty()).toList();
    }

    public static boolean exportedTo(List<String> exportTo, String ownNamespace, String namespace) {
        if (exportTo.isEmpty()) {
            return true;
        }
        for (String e : exportTo) {
            if (e.equals("*") || e.equals(namespace) || (e.equals(".") && ownNamespace.equals(namespace))) {
                return true;
            }
        }
        return false;
    }

    public static boolean exportedTo(Resource r, String namespace) {
        return exportedTo(of(r), r.namespace(), namespace);
    }

    private static final List<Kind> EXPORTED = List.of(Kind.VIRTUAL_SERVICE, Kind.DESTINATION_RULE,
            Kind.SERVICE_ENTRY, Kind.SERVICE);

    /**
     * {@code config} as a node of {@code namespace} sees it; itself when everything is exported there. A delegate
     * VirtualService (no hosts) stays: its exportTo is checked against its root's namespace, not the node's
     * ({@link Delegation}), as Istio does. Worked out per kind and kept with it, so after a change only the kinds
     * it touched are looked at again.
     */
    public static MeshConfig visibleIn(MeshConfig config, String namespace) {
        return config.retain(EXPORTED, List.of("exported-to", namespace), r -> r.type() == Kind.VIRTUAL_SERVICE
                && Delegation.isDelegate(r.specAs(VirtualServiceSpec.class)) || exportedTo(r, namespace));
    }
}
