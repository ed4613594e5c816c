package io.kshift.model.istio;

import java.util.List;

/**
 * What a VirtualService's {@code gateways} entry names, as Istio reads it: {@code namespace/name},
 * {@code ./name} and {@code name} (the VirtualService's namespace), and the deprecated FQDN forms
 * {@code name.namespace} and {@code name.namespace.svc.cluster.local}, which Istio still resolves to
 * {@code namespace/name}. A dotted reference may also be a Gateway's own dotted name in the VirtualService's
 * namespace: both are candidates. Resolved where a reference meets the Gateways, the stored spec as written (a
 * change of what a live route binds to needs a change of it): such a reference was taken as a gateway of that
 * dotted name, which never existed, and the route never served.
 */
public final class GatewayRefs {
    /** A Gateway a reference may name. */
    public record Name(String namespace, String name) {
    }

    private GatewayRefs() {
    }

    public static List<Name> candidates(String reference, String fromNamespace) {
        int slash = reference.indexOf('/');
        if (slash >= 0) {
            String namespace = reference.substring(0, slash);
            return List.of(new Name(namespace.equals(".") ? fromNamespace : namespace, reference.substring(slash + 1)));
        }
        String[] labels = reference.split("\\.");
        if (labels.length >= 2 && !labels[0].isEmpty() && !labels[1].isEmpty()) {
            return List.of(new Name(fromNamespace, reference), new Name(labels[1], labels[0]));
        }
        return List.of(new Name(fromNamespace, reference));
    }
}
