package io.kshift.model.codec;

import java.util.Map;
import java.util.Optional;

/**
 * Fields the upstream schemas define that this kshift version does not serve, by the model type that would hold
 * them, each with why. A document using one is refused naming the field and the reason, never as "unknown field"
 * (which stays for names no schema defines). {@code UpstreamSchemaTest} and {@code IstioSchemaTest} keep this list
 * and the model complete against the published Gateway API and Istio schemas.
 */
public final class NotSupported {
    private static final String DEFAULT_GATEWAYS = "default gateways are not served by this kshift version; name"
            + " the Gateway in parentRefs";

    private static final String FILES = "certificate files on the proxy are not served: put the certificate in a"
            + " Secret and name it in credentialName";
    private static final String NOT_SIDECARS = "kshift proxies are shared gateways, not sidecars: they do not know"
            + " which workload a request comes from";
    private static final String INBOUND = "kshift proxies do not stand in front of workloads: there is no inbound"
            + " side to configure";
    private static final String ONE_MESH_PORT = "a node has one mesh port for every host: egress listeners per port or"
            + " address are not served; list the hosts in one egress listener without port";

    private static final Map<Class<?>, Map<String, String>> REASONS = Map.ofEntries(
            // Gateway API
            Map.entry(io.kshift.model.gateway.KubeGatewaySpec.class, Map.of(
                    "addresses", "a Gateway is served on every proxy node's own address; requested addresses are not"
                            + " assigned by this kshift version",
                    "defaultScope", DEFAULT_GATEWAYS)),
            Map.entry(io.kshift.model.gateway.KubeGatewaySpec.Infrastructure.class, Map.of("parametersRef",
                    "kshift proxies are one shared fleet, not a deployment per Gateway: there is no per-Gateway"
                            + " infrastructure to parameterize")),
            Map.entry(io.kshift.model.gateway.TlsRouteSpec.class, Map.of("useDefaultGateways", DEFAULT_GATEWAYS)),
            Map.entry(io.kshift.model.gateway.HttpRouteFilter.class, Map.of(
                    "extensionRef", "extension filters are implementation-specific, and kshift defines none",
                    "externalAuth", "external authorization is not served by this kshift version")),
            Map.entry(io.kshift.model.gateway.HttpRouteSpec.class, Map.of("useDefaultGateways", DEFAULT_GATEWAYS)),
            Map.entry(io.kshift.model.gateway.GrpcRouteSpec.class, Map.of("useDefaultGateways", DEFAULT_GATEWAYS)),
            Map.entry(io.kshift.model.gateway.GrpcRouteSpec.Filter.class, Map.of("extensionRef",
                    "extension filters are implementation-specific, and kshift defines none")),
            Map.entry(io.kshift.model.gateway.TcpRouteSpec.class, Map.of("useDefaultGateways", DEFAULT_GATEWAYS)),
            Map.entry(io.kshift.model.gateway.UdpRouteSpec.class, Map.of("useDefaultGateways", DEFAULT_GATEWAYS)),
            // Istio networking v1 (IstioSchemaTest)
            Map.entry(io.kshift.model.istio.HttpRoute.class, Map.of(
                    "mirror_percent", "deprecated by Istio; use mirrorPercentage",
                    "mirrorPercent", "deprecated by Istio; use mirrorPercentage")),
            Map.entry(io.kshift.model.istio.CorsPolicy.class, Map.of("allowOrigin",
                    "deprecated by Istio; use allowOrigins")),
            Map.entry(io.kshift.model.istio.HttpFaultInjection.Abort.class, Map.of(
                    "http2Error", "HTTP/2 resets are not injected by this kshift version; use httpStatus")),
            Map.entry(io.kshift.model.istio.HttpFaultInjection.Delay.class, Map.of(
                    "exponentialDelay", "not served by this kshift version; use fixedDelay",
                    "percent", "deprecated by Istio; use percentage")),
            Map.entry(io.kshift.model.istio.HttpMatchRequest.class, Map.of(
                    "sourceLabels", NOT_SIDECARS, "sourceNamespace", NOT_SIDECARS,
                    "statPrefix", "per-match statistics prefixes are not served by this kshift version")),
            Map.entry(io.kshift.model.istio.L4MatchAttributes.class, Map.of(
                    "sourceLabels", NOT_SIDECARS, "sourceNamespace", NOT_SIDECARS,
                    "sourceSubnet", "matching on the client's address is not served by this kshift version",
                    "destinationSubnets", "matching on the destination address is not served by this kshift"
                            + " version; proxies route by port")),
            Map.entry(io.kshift.model.istio.OutlierDetection.class, Map.of(
                    "consecutiveErrors", "deprecated by Istio; use consecutive5xxErrors")),
            Map.entry(io.kshift.model.istio.ClientTlsSettings.class, Map.of(
                    "clientCertificate", FILES, "privateKey", FILES, "caCertificates", FILES, "caCrl", FILES)),
            Map.entry(io.kshift.model.istio.Server.class, Map.of(
                    "defaultEndpoint", "not served by this kshift version: a server forwards by its routes")),
            Map.entry(io.kshift.model.istio.ServerTlsSettings.class, Map.ofEntries(
                    Map.entry("serverCertificate", FILES), Map.entry("privateKey", FILES),
                    Map.entry("caCertificates", FILES), Map.entry("caCrl", FILES), Map.entry("tlsCertificates", FILES))),
            Map.entry(io.kshift.model.istio.TlsMatchAttributes.class, Map.of(
                    "sourceLabels", NOT_SIDECARS, "sourceNamespace", NOT_SIDECARS,
                    "destinationSubnets", "matching on the destination address is not served by this kshift"
                            + " version; proxies route by SNI")),
            Map.entry(io.kshift.model.istio.SidecarSpec.class, Map.of(
                    "ingress", INBOUND, "inboundConnectionPool", INBOUND)),
            Map.entry(io.kshift.model.istio.SidecarSpec.EgressListener.class, Map.of(
                    "port", ONE_MESH_PORT, "bind", ONE_MESH_PORT,
                    "captureMode", "kshift captures no traffic (no iptables): clients address the mesh port")),
            Map.entry(io.kshift.model.istio.SidecarSpec.OutboundTrafficPolicy.class, Map.of("egressProxy",
                    "an egress proxy for unknown hosts is not served: the mesh port reaches only known hosts")));

    private NotSupported() {
    }

    /** Kinds of Istio's networking API kshift knows and does not serve, each with why. */
    private static final Map<String, String> KINDS = Map.of(
            "WorkloadGroup", "VM auto-registration (WorkloadGroup) is not served by this kshift version: declare each"
                    + " workload as a WorkloadEntry",
            "EnvoyFilter", "kshift proxies are not Envoy: there is no Envoy configuration to patch",
            "ProxyConfig", "kshift proxies are configured by their own properties (kshift.proxy.*), not per workload");

    /** Why {@code kind} of {@code apiVersion} is not served, or null when it is not one of those. */
    public static String kind(String apiVersion, String kind) {
        return apiVersion != null && apiVersion.startsWith("networking.istio.io/") ? KINDS.get(kind) : null;
    }

    /** The fields of {@code type} declared not supported (for the schema tests). */
    public static java.util.Set<String> fields(Class<?> type) {
        return REASONS.getOrDefault(type, Map.of()).keySet();
    }

    /** The model types that have fields declared not supported. */
    public static java.util.Set<Class<?>> types() {
        return REASONS.keySet();
    }

    public static Optional<String> reason(Class<?> type, String field) {
        return Optional.ofNullable(REASONS.getOrDefault(type, Map.of()).get(field));
    }
}
