package io.kshift.model.codec;

import java.util.Map;
import java.util.Optional;

/**
 * Fields the upstream schemas define that this kshift version does not serve, by the model type that would hold
 * them, each with why. A document using one is refused naming the field and the reason, never as "unknown field"
 * (which stays for names no schema defines). {@code UpstreamSchemaTest} keeps this list and the model complete
 * against the published Gateway API schema.
 */
public final class NotSupported {
    private static final String TLS = "TLS (termination, passthrough, certificates) is not served by this kshift"
            + " version yet";
    private static final String DEFAULT_GATEWAYS = "default gateways are not served by this kshift version; name"
            + " the Gateway in parentRefs";

    private static final Map<Class<?>, Map<String, String>> REASONS = Map.of(
            io.kshift.model.gateway.KubeGatewaySpec.class, Map.of(
                    "addresses", "a Gateway is served on every proxy node's own address; requested addresses are not"
                            + " assigned by this kshift version",
                    "allowedListeners", "ListenerSets are not served by this kshift version",
                    "defaultScope", DEFAULT_GATEWAYS,
                    "infrastructure", "kshift proxies are one shared fleet, not a deployment per Gateway: there is"
                            + " no per-Gateway infrastructure to label or parameterize",
                    "tls", TLS),
            io.kshift.model.gateway.Listener.class, Map.of("tls", TLS),
            io.kshift.model.gateway.BackendRef.class, Map.of("filters", "filters per backend are not served by this"
                    + " kshift version; put them on the rule"),
            io.kshift.model.gateway.HttpRouteFilter.class, Map.of(
                    "extensionRef", "extension filters are implementation-specific, and kshift defines none",
                    "externalAuth", "external authorization is not served by this kshift version"),
            io.kshift.model.gateway.HttpRouteRule.class, Map.of(
                    "retry", "HTTPRoute retries are not served by this kshift version; a VirtualService's retries"
                            + " are",
                    "sessionPersistence", "session persistence is not served by this kshift version; a"
                            + " DestinationRule's consistentHash (httpCookie) keeps a client on one endpoint"),
            io.kshift.model.gateway.HttpRouteSpec.class, Map.of("useDefaultGateways", DEFAULT_GATEWAYS),
            io.kshift.model.gateway.TcpRouteSpec.class, Map.of("useDefaultGateways", DEFAULT_GATEWAYS));

    private NotSupported() {
    }

    public static Optional<String> reason(Class<?> type, String field) {
        return Optional.ofNullable(REASONS.getOrDefault(type, Map.of()).get(field));
    }
}
