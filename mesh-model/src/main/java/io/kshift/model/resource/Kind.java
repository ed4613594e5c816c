package io.kshift.model.resource;

import io.kshift.model.gateway.HttpRouteSpec;
import io.kshift.model.gateway.KubeGatewaySpec;
import io.kshift.model.gateway.TcpRouteSpec;
import io.kshift.model.istio.DestinationRuleSpec;
import io.kshift.model.istio.GatewaySpec;
import io.kshift.model.istio.ServiceEntrySpec;
import io.kshift.model.istio.VirtualServiceSpec;
import io.kshift.model.istio.WorkloadEntrySpec;
import io.kshift.model.k8s.ServiceSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The resource kinds kshift accepts, with the API versions and the names kubectl users type for them. */
public enum Kind {
    VIRTUAL_SERVICE(Groups.ISTIO, "VirtualService", "virtualservices", List.of("vs"), VirtualServiceSpec.class),
    DESTINATION_RULE(Groups.ISTIO, "DestinationRule", "destinationrules", List.of("dr"), DestinationRuleSpec.class),
    GATEWAY(Groups.ISTIO, "Gateway", "gateways", List.of("gw"), GatewaySpec.class),
    SERVICE_ENTRY(Groups.ISTIO, "ServiceEntry", "serviceentries", List.of("se"), ServiceEntrySpec.class),
    WORKLOAD_ENTRY(Groups.ISTIO, "WorkloadEntry", "workloadentries", List.of("we"), WorkloadEntrySpec.class),
    SIDECAR(Groups.ISTIO, "Sidecar", "sidecars", List.of(), io.kshift.model.istio.SidecarSpec.class),
    SERVICE(Groups.CORE, "Service", "services", List.of("svc"), ServiceSpec.class),
    SECRET(Groups.CORE, "Secret", "secrets", List.of(), io.kshift.model.secret.SecretSpec.class),
    CONFIG_MAP(Groups.CORE, "ConfigMap", "configmaps", List.of("cm"), io.kshift.model.k8s.ConfigMapSpec.class),
    NAMESPACE(Groups.CORE, "Namespace", "namespaces", List.of("ns"), io.kshift.model.k8s.NamespaceSpec.class),
    KUBE_GATEWAY(Groups.GATEWAY_API, "Gateway", "gateways", List.of("gtw"), KubeGatewaySpec.class),
    TCP_ROUTE(Groups.GATEWAY_API, "TCPRoute", "tcproutes", List.of(), TcpRouteSpec.class),
    HTTP_ROUTE(Groups.GATEWAY_API, "HTTPRoute", "httproutes", List.of(), HttpRouteSpec.class),
    GRPC_ROUTE(Groups.GATEWAY_API, "GRPCRoute", "grpcroutes", List.of(), io.kshift.model.gateway.GrpcRouteSpec.class,
            List.of("v1", "v1alpha2")),
    UDP_ROUTE(Groups.GATEWAY_API, "UDPRoute", "udproutes", List.of(), io.kshift.model.gateway.UdpRouteSpec.class,
            List.of("v1alpha2")),
    TLS_ROUTE(Groups.GATEWAY_API, "TLSRoute", "tlsroutes", List.of(), io.kshift.model.gateway.TlsRouteSpec.class,
            List.of("v1", "v1alpha3", "v1alpha2")),
    REFERENCE_GRANT(Groups.GATEWAY_API, "ReferenceGrant", "referencegrants", List.of("refgrant"),
            io.kshift.model.gateway.ReferenceGrantSpec.class),
    BACKEND_TLS_POLICY(Groups.GATEWAY_API, "BackendTLSPolicy", "backendtlspolicies", List.of("btlspolicy"),
            io.kshift.model.gateway.BackendTlsPolicySpec.class, List.of("v1", "v1alpha3"));

    private final Groups group;
    private final String kindName;
    private final String plural;
    private final List<String> shortNames;
    private final Class<? extends ResourceSpec> specType;
    private final List<String> versions;

    Kind(Groups group, String kindName, String plural, List<String> shortNames, Class<? extends ResourceSpec> specType) {
        this(group, kindName, plural, shortNames, specType, group.versions);
    }

    Kind(Groups group, String kindName, String plural, List<String> shortNames, Class<? extends ResourceSpec> specType,
         List<String> versions) {
        this.versions = versions;
        this.group = group;
        this.kindName = kindName;
        this.plural = plural;
        this.shortNames = shortNames;
        this.specType = specType;
    }

    public String kindName() {
        return kindName;
    }

    public String group() {
        return group.name;
    }

    public Class<? extends ResourceSpec> specType() {
        return specType;
    }

    public String preferredApiVersion() {
        return group.apiVersion(versions.get(0));
    }

    public List<String> apiVersions() {
        return versions.stream().map(group::apiVersion).toList();
    }

    /** {@code VirtualService}, or {@code Gateway.gateway.networking.k8s.io} where a bare kind name is ambiguous. */
    public String displayName() {
        return this == KUBE_GATEWAY ? kindName + "." + group.name : kindName;
    }

    /** The kind for an object's {@code apiVersion} and {@code kind}, if kshift accepts it. */
    public static Optional<Kind> lookup(String apiVersion, String kind) {
        return Optional.ofNullable(find(apiVersion, kind));
    }

    /** {@link #lookup}, null for a kind kshift does not accept: asked for every resource of every config build. */
    public static Kind find(String apiVersion, String kind) {
        // Two hash lookups, not a scan of kinds and versions, and nothing allocated.
        java.util.Map<String, Kind> byVersion = kind == null ? null : BY_NAME_AND_VERSION.get(kind);
        return byVersion == null || apiVersion == null ? null : byVersion.get(apiVersion);
    }

    private static final java.util.Map<String, java.util.Map<String, Kind>> BY_NAME_AND_VERSION = byNameAndVersion();

    private static java.util.Map<String, java.util.Map<String, Kind>> byNameAndVersion() {
        java.util.Map<String, java.util.Map<String, Kind>> out = new java.util.HashMap<>();
        for (Kind k : values()) {
            k.apiVersions().forEach(v -> out.computeIfAbsent(k.kindName, n -> new java.util.HashMap<>()).put(v, k));
        }
        return java.util.Map.copyOf(out);
    }

    /** Whether some accepted API group has a kind of this name (to tell "unknown kind" from "wrong version"). */
    public static List<Kind> named(String kind) {
        return Arrays.stream(values()).filter(k -> k.kindName.equals(kind)).toList();
    }

    /**
     * Resolves a name as kubectl does: singular, plural or short name, case-insensitive, optionally qualified by
     * group ({@code gateways.gateway.networking.k8s.io}). A bare {@code gateway} means Istio's, as in a mesh.
     */
    public static Optional<Kind> fromUserName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (Kind k : values()) {
            for (String candidate : k.userNames()) {
                if (n.equals(candidate) || n.equals(candidate + "." + k.group.name)) {
                    return Optional.of(k);
                }
            }
        }
        return Optional.empty();
    }

    private List<String> userNames() {
        var names = new java.util.ArrayList<String>();
        names.add(kindName.toLowerCase(Locale.ROOT));
        names.add(plural);
        names.addAll(shortNames);
        return names;
    }

    private enum Groups {
        ISTIO("networking.istio.io", List.of("v1", "v1beta1", "v1alpha3")),
        CORE("", List.of("v1")),
        GATEWAY_API("gateway.networking.k8s.io", List.of("v1", "v1beta1", "v1alpha2"));

        private final String name;
        private final List<String> versions;

        Groups(String name, List<String> versions) {
            this.name = name;
            this.versions = versions;
        }

        String apiVersion(String version) {
            return name.isEmpty() ? version : name + "/" + version;
        }
    }
}
