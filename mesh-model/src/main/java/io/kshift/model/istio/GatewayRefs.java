package io.kshift.model.istio;

import java.util.List;

/**
 * A VirtualService's {@code gateways} entries as Istio reads them: {@code mesh}, {@code name} (the VirtualService's
 * namespace), {@code namespace/name}, and the deprecated FQDN forms {@code name.namespace} and
 * {@code name.namespace.svc.cluster.local}, which Istio still resolves to {@code namespace/name}. Kept read that
 * way, so every rule and builder sees one form: such a reference was taken as a gateway named
 * {@code ingress.istio-system} that never existed, and the route never served.
 */
public final class GatewayRefs {
    private GatewayRefs() {
    }

    public static List<String> of(List<String> references) {
        if (references == null || references.stream().noneMatch(GatewayRefs::legacy)) {
            return references;
        }
        return references.stream().map(r -> legacy(r) ? r.split("\\.")[1] + "/" + r.split("\\.")[0] : r).toList();
    }

    private static boolean legacy(String reference) {
        return reference != null && !reference.contains("/") && reference.indexOf('.') > 0
                && reference.split("\\.").length >= 2 && !reference.split("\\.")[1].isEmpty();
    }
}
