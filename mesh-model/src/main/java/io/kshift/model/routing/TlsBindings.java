package io.kshift.model.routing;

import io.kshift.model.gateway.FrontendTls;
import io.kshift.model.gateway.KubeGatewaySpec;
import io.kshift.model.gateway.Listener;
import io.kshift.model.gateway.ListenerTls;
import io.kshift.model.gateway.SecretObjectReference;
import io.kshift.model.gateway.TcpRouteSpec;
import io.kshift.model.gateway.TlsRouteSpec;
import io.kshift.model.istio.GatewaySpec;
import io.kshift.model.istio.L4MatchAttributes;
import io.kshift.model.istio.Server;
import io.kshift.model.istio.ServerTlsSettings;
import io.kshift.model.istio.TcpRoute;
import io.kshift.model.istio.TlsMatchAttributes;
import io.kshift.model.istio.TlsRoute;
import io.kshift.model.istio.VirtualServiceSpec;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import io.kshift.model.resource.ResourceKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The TLS side of gateway ports, as Envoy's filter chains: on each port that speaks TLS, chains in declaration
 * order, each taking some server names (SNI; {@code *} any), terminating with certificates or passing through, and
 * on a TLS port routing connections by SNI. Istio: a server with protocol HTTPS or TLS and its {@code tls} (SIMPLE
 * and MUTUAL terminate, PASSTHROUGH does not; an HTTPS server that terminates serves http routes, a TLS one tcp
 * routes; a passthrough server VirtualService {@code tls} routes by {@code sniHosts}, then a tcp route for the
 * rest). Gateway API: HTTPS listeners terminate and serve HTTPRoutes; TLS listeners pass through or terminate and
 * serve TLSRoutes by {@code hostnames} (and, terminated, TCPRoutes for the rest). Shared by validator and proxy.
 */
public final class TlsBindings {
    private TlsBindings() {
    }

    /**
     * How a chain terminates: the Secrets whose certificates it presents (picked by SNI among them), the CA bundles
     * client certificates must chain to (empty: none asked for; Secrets, or ConfigMaps for a Gateway API Gateway's
     * {@code spec.tls.frontend}), how clients are held to them ({@link ClientAuth}: {@code NONE} exactly when there
     * are none), the TLS versions allowed (null: the library's defaults), and what else a client certificate is
     * held to ({@link ClientCertificateRules}; none without client CAs), and the TLS 1.2 cipher suites offered
     * (empty: the library's; {@link CipherSuites#served}).
     */
    public record Termination(List<SecretRef> certificates, List<SecretRef> clientCas, ClientAuth clientAuth,
                              String minVersion, String maxVersion, ClientCertificateRules clientRules,
                              List<String> cipherSuites) {
        public Termination {
            certificates = List.copyOf(certificates);
            clientCas = List.copyOf(clientCas);
            cipherSuites = cipherSuites == null ? List.of() : List.copyOf(cipherSuites);
            clientAuth = clientCas.isEmpty() ? ClientAuth.NONE
                    : clientAuth == null || clientAuth == ClientAuth.NONE ? ClientAuth.REQUIRE : clientAuth;
            clientRules = clientCas.isEmpty() || clientRules == null ? ClientCertificateRules.NONE : clientRules;
        }

        /** Whether clients are asked for certificates. */
        public boolean mutual() {
            return !clientCas.isEmpty();
        }
    }

    /**
     * Istio's checks of a client certificate beyond its CA (Envoy's validation context): it must carry one of
     * {@code subjectAltNames} (any given), and be one of the pinned certificates, by the SHA-256 of its public key
     * ({@code spkiHashes}, base64) or of itself ({@code certificateHashes}, hex, colons allowed), when any is given.
     */
    public record ClientCertificateRules(List<String> subjectAltNames, List<String> spkiHashes,
                                         List<String> certificateHashes) {
        public static final ClientCertificateRules NONE = new ClientCertificateRules(List.of(), List.of(), List.of());

        public ClientCertificateRules {
            subjectAltNames = List.copyOf(subjectAltNames);
            spkiHashes = List.copyOf(spkiHashes);
            certificateHashes = List.copyOf(certificateHashes);
        }

        public boolean any() {
            return !subjectAltNames.isEmpty() || pinned();
        }

        /** Whether only certificates with given hashes are let in. */
        public boolean pinned() {
            return !spkiHashes.isEmpty() || !certificateHashes.isEmpty();
        }

        /** A {@code verifyCertificateSpki} entry's 32 bytes, or empty where it is not base64 of a SHA-256. */
        public static java.util.Optional<byte[]> spkiHash(String written) {
            try {
                byte[] b = java.util.Base64.getDecoder().decode(written == null ? "" : written.strip());
                return b.length == 32 ? java.util.Optional.of(b) : java.util.Optional.empty();
            } catch (IllegalArgumentException e) {
                return java.util.Optional.empty();
            }
        }

        /** A {@code verifyCertificateHash} entry's 32 bytes (hex, colons allowed), or empty where it is not one. */
        public static java.util.Optional<byte[]> certificateHash(String written) {
            String hex = written == null ? "" : written.strip().replace(":", "");
            if (hex.length() != 64 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(java.util.HexFormat.of().parseHex(hex));
        }
    }

    /** How a terminating listener holds clients to its CA bundles. */
    public enum ClientAuth {
        /** Clients are not asked for certificates. */
        NONE,
        /** A certificate that chains to the CAs is required (Istio MUTUAL, Gateway API AllowValidOnly). */
        REQUIRE,
        /** A certificate is asked for; one presented must chain to the CAs, none is let through (OPTIONAL_MUTUAL). */
        OPTIONAL,
        /** A certificate is asked for; a client with none, or one that does not chain, is let through all the same
         * (Gateway API AllowInsecureFallback: the backend decides). */
        ACCEPT_UNTRUSTED
    }

    /** A Secret a gateway names, and where (for a client CA bundle, a Secret or a ConfigMap). */
    public record SecretRef(ResourceKey secret, String field) {
    }

    /**
     * The CA bundle (PEM) a Secret ({@code ca.crt}, or Istio's {@code cacert}) or a ConfigMap ({@code ca.crt})
     * holds for validating client certificates; empty when it holds none.
     */
    public static java.util.Optional<String> caBundle(Resource holder) {
        if (holder.spec() instanceof io.kshift.model.k8s.ConfigMapSpec map) {
            return map.text(io.kshift.model.k8s.ConfigMapSpec.CA_CERT);
        }
        io.kshift.model.secret.SecretSpec secret = holder.specAs(io.kshift.model.secret.SecretSpec.class);
        return secret.caEntry().flatMap(secret::publicBytes)
                .map(b -> new String(b, java.nio.charset.StandardCharsets.US_ASCII));
    }

    /**
     * One filter chain of a port. {@code termination} null: passthrough. {@code http}: an HTTPS server or listener
     * that terminates, whose requests http routes serve (a port serves either such chains only or none of them).
     */
    public record Chain(ResourceKey gateway, String field, List<String> serverNames, Termination termination,
                        List<SniRoute> routes, boolean http) {
        public boolean terminates() {
            return termination != null;
        }
    }

    /** Connections whose SNI matches {@code sniHosts} ({@code *}: any, or none sent) go to {@code targets}. */
    public record SniRoute(ResourceKey source, String field, List<String> sniHosts, List<WeightedTarget> targets) {
    }

    /** A TLS port: {@code http}: requests are served by http routes after termination (HTTPS). */
    public record Port(int port, boolean http, List<Chain> chains) {
    }

    public static Map<Integer, Port> compute(MeshConfig config) {
        Map<Integer, List<Chain>> chains = new TreeMap<>();
        Map<Integer, Boolean> http = new TreeMap<>();
        for (Resource gw : config.ofKind(Kind.GATEWAY)) {
            List<Server> servers = gw.specAs(GatewaySpec.class).servers();
            for (int i = 0; i < servers.size(); i++) {
                Server s = servers.get(i);
                String protocol = upper(s.port().protocol());
                if (!(protocol.equals("HTTPS") || protocol.equals("TLS")) || s.tls() == null) {
                    continue;
                }
                String field = "spec.servers[" + i + "]";
                boolean passthrough = s.tls().effectiveMode() == ServerTlsSettings.Mode.PASSTHROUGH;
                List<String> names = s.hosts().stream().map(TlsBindings::stripNamespace).toList();
                int port = s.port().number();
                List<SniRoute> routes = passthrough || protocol.equals("TLS")
                        ? istioRoutes(config, gw, s, passthrough) : List.of();
                chains.computeIfAbsent(port, p -> new ArrayList<>()).add(new Chain(gw.key(), field, names,
                        passthrough ? null : istioTermination(config, gw, s.tls(), field + ".tls"), routes,
                        protocol.equals("HTTPS") && !passthrough));
                http.merge(port, protocol.equals("HTTPS") && !passthrough, Boolean::logicalAnd);
            }
        }
        for (Resource gw : config.ofKind(Kind.KUBE_GATEWAY)) {
            List<Listener> listeners = gw.specAs(KubeGatewaySpec.class).listeners();
            for (int i = 0; i < listeners.size(); i++) {
                Listener l = listeners.get(i);
                String protocol = upper(l.protocol());
                if (!(protocol.equals("HTTPS") || protocol.equals("TLS")) || l.tls() == null) {
                    continue;
                }
                String field = "spec.listeners[" + i + "]";
                boolean passthrough = l.tls().effectiveMode() == ListenerTls.Mode.Passthrough;
                List<String> names = List.of(l.hostname() == null ? "*" : l.hostname());
                List<SniRoute> routes = protocol.equals("TLS") ? gatewayApiRoutes(config, gw, l, passthrough)
                        : List.of();
                chains.computeIfAbsent(l.port(), p -> new ArrayList<>()).add(new Chain(gw.key(), field, names,
                        passthrough ? null : gatewayApiTermination(gw, l, field + ".tls"), routes,
                        protocol.equals("HTTPS") && !passthrough));
                http.merge(l.port(), protocol.equals("HTTPS") && !passthrough, Boolean::logicalAnd);
            }
        }
        Map<Integer, Port> out = new TreeMap<>();
        chains.forEach((port, list) -> out.put(port, new Port(port, http.get(port), List.copyOf(list))));
        return out;
    }

    /**
     * Istio HTTP servers with {@code tls.httpsRedirect}: per port, the hosts whose every request is answered with a
     * 301 to the same URL over https (as Envoy's {@code require_tls: ALL}).
     */
    public static Map<Integer, List<String>> httpsRedirects(MeshConfig config) {
        Map<Integer, List<String>> out = new TreeMap<>();
        for (Resource gw : config.ofKind(Kind.GATEWAY)) {
            for (Server s : gw.specAs(GatewaySpec.class).servers()) {
                if (s.tls() != null && s.tls().redirects() && upper(s.port().protocol()).equals("HTTP")) {
                    List<String> hosts = out.computeIfAbsent(s.port().number(), p -> new ArrayList<>());
                    s.hosts().stream().map(TlsBindings::stripNamespace).forEach(hosts::add);
                }
            }
        }
        out.replaceAll((port, hosts) -> List.copyOf(hosts));
        return out;
    }

    /**
     * The Secret that validates a MUTUAL (or OPTIONAL_MUTUAL) server's clients: {@code caCertCredentialName}, else the Secret
     * {@code <credentialName>-cacert} where it exists (Istio's convention), else the credential itself.
     */
    private static Termination istioTermination(MeshConfig config, Resource gw, ServerTlsSettings tls, String field) {
        List<SecretRef> certs = new ArrayList<>();
        List<String> names = tls.credentials();
        String namesField = tls.credentialNames().isEmpty() ? ".credentialName" : ".credentialNames";
        for (int i = 0; i < names.size(); i++) {
            certs.add(new SecretRef(secret(gw.namespace(), names.get(i)), field + namesField
                    + (tls.credentialNames().isEmpty() ? "" : "[" + i + "]")));
        }
        List<SecretRef> ca = List.of();
        boolean optional = tls.effectiveMode() == ServerTlsSettings.Mode.OPTIONAL_MUTUAL;
        if ((tls.effectiveMode() == ServerTlsSettings.Mode.MUTUAL || optional) && !names.isEmpty()) {
            if (tls.caCertCredentialName() != null) {
                ca = List.of(new SecretRef(secret(gw.namespace(), tls.caCertCredentialName()),
                        field + ".caCertCredentialName"));
            } else {
                ResourceKey separate = secret(gw.namespace(), names.get(0) + "-cacert");
                ca = List.of(new SecretRef(config.get(separate).isPresent() ? separate : certs.get(0).secret(),
                        certs.get(0).field()));
            }
        }
        return new Termination(certs, ca, optional ? ClientAuth.OPTIONAL : ClientAuth.REQUIRE,
                version(tls.minProtocolVersion()),
                version(tls.maxProtocolVersion()), new ClientCertificateRules(tls.subjectAltNames(),
                        tls.verifyCertificateSpki(), tls.verifyCertificateHash()),
                CipherSuites.served(tls.cipherSuites()));
    }

    private static String version(ServerTlsSettings.ProtocolVersion v) {
        return switch (v == null ? ServerTlsSettings.ProtocolVersion.TLS_AUTO : v) {
            case TLS_AUTO -> null;
            case TLSV1_0 -> "TLSv1";
            case TLSV1_1 -> "TLSv1.1";
            case TLSV1_2 -> "TLSv1.2";
            case TLSV1_3 -> "TLSv1.3";
        };
    }

    /**
     * A Gateway API listener's certificates and, on an HTTPS listener, the client validation its Gateway's
     * {@code spec.tls.frontend} asks for on its port (the port's {@code perPort} entry, else the default). References
     * to kinds other than core ConfigMaps and Secrets are left out (the validator refuses them).
     */
    private static Termination gatewayApiTermination(Resource gw, Listener l, String field) {
        ListenerTls tls = l.tls();
        List<SecretRef> certs = new ArrayList<>();
        for (int i = 0; i < tls.certificateRefs().size(); i++) {
            SecretObjectReference ref = tls.certificateRefs().get(i);
            certs.add(new SecretRef(secret(ref.namespace() == null ? gw.namespace() : ref.namespace(), ref.name()),
                    field + ".certificateRefs[" + i + "]"));
        }
        List<SecretRef> cas = new ArrayList<>();
        ClientAuth auth = ClientAuth.REQUIRE;
        FrontendTls frontend = gw.specAs(KubeGatewaySpec.class).tls() == null ? null
                : gw.specAs(KubeGatewaySpec.class).tls().frontend();
        if (frontend != null && upper(l.protocol()).equals("HTTPS")) {
            int entry = frontend.perPortIndex(l.port());
            String at = entry < 0 ? "spec.tls.frontend.default" : "spec.tls.frontend.perPort[" + entry + "].tls";
            FrontendTls.Validation v = frontend.validationFor(l.port()).orElse(null);
            for (int i = 0; v != null && i < v.caCertificateRefs().size(); i++) {
                FrontendTls.CaCertificateRef ref = v.caCertificateRefs().get(i);
                String where = at + ".validation.caCertificateRefs[" + i + "]";
                ref.coreKind().ifPresent(kind -> cas.add(new SecretRef(new ResourceKey(kind.equals("ConfigMap")
                        ? Kind.CONFIG_MAP : Kind.SECRET, ref.namespace() == null ? gw.namespace() : ref.namespace(),
                        ref.name()), where)));
            }
            if (v != null && v.effectiveMode() == FrontendTls.Validation.Mode.AllowInsecureFallback) {
                auth = ClientAuth.ACCEPT_UNTRUSTED;
            }
        }
        return new Termination(certs, cas, auth, null, null, ClientCertificateRules.NONE, List.of());
    }

    /**
     * A passthrough server's VirtualService tls routes (by SNI); a terminating TLS server's tcp route. As Istio
     * builds a gateway's filter chains: a passthrough server takes no tcp route, so a VirtualService's catch-all tcp
     * route meant for another server of the Gateway never takes the connections no SNI route names.
     */
    private static List<SniRoute> istioRoutes(MeshConfig config, Resource gw, Server server, boolean passthrough) {
        List<SniRoute> out = new ArrayList<>();
        SniRoute fallback = null;
        int port = server.port().number();
        for (Resource vs : config.oldestFirst(Kind.VIRTUAL_SERVICE)) {
            VirtualServiceSpec spec = vs.specAs(VirtualServiceSpec.class);
            if (spec.gateways().stream().noneMatch(g -> ListenerBindings.names(g, vs.namespace(), gw.key()))
                    || HttpBindings.admitted(spec.hosts(), server.hosts(), vs.namespace(), gw.namespace()).isEmpty()) {
                continue;
            }
            for (int i = 0; passthrough && i < spec.tls().size(); i++) {
                TlsRoute route = spec.tls().get(i);
                List<String> sni = new ArrayList<>();
                for (TlsMatchAttributes m : route.match()) {
                    boolean portOk = m.port() == null || m.port() == port;
                    boolean gatewayOk = m.gateways().isEmpty()
                            || m.gateways().stream().anyMatch(g -> ListenerBindings.names(g, vs.namespace(), gw.key()));
                    if (portOk && gatewayOk) {
                        sni.addAll(m.sniHosts());
                    }
                }
                if (!sni.isEmpty()) {
                    String field = "spec.tls[" + i + "]";
                    out.add(new SniRoute(vs.key(), field, List.copyOf(sni), ListenerBindings.istioTargets(route,
                            vs.namespace(), field)));
                }
            }
            for (int i = 0; !passthrough && fallback == null && i < spec.tcp().size(); i++) {
                TcpRoute route = spec.tcp().get(i);
                if (tcpMatches(route, vs.namespace(), gw.key(), port)) {
                    String field = "spec.tcp[" + i + "]";
                    fallback = new SniRoute(vs.key(), field, List.of("*"),
                            ListenerBindings.istioTargets(route, vs.namespace(), field));
                }
            }
        }
        if (fallback != null) {
            out.add(fallback);
        }
        return List.copyOf(out);
    }

    private static boolean tcpMatches(TcpRoute route, String namespace, ResourceKey gateway, int port) {
        if (route.match().isEmpty()) {
            return true;
        }
        for (L4MatchAttributes m : route.match()) {
            if ((m.port() == null || m.port() == port) && (m.gateways().isEmpty()
                    || m.gateways().stream().anyMatch(g -> ListenerBindings.names(g, namespace, gateway)))) {
                return true;
            }
        }
        return false;
    }

    /** TLSRoutes attached to a TLS listener by SNI; on a terminating one, a TCPRoute takes the rest. */
    private static List<SniRoute> gatewayApiRoutes(MeshConfig config, Resource gw, Listener l, boolean passthrough) {
        List<SniRoute> out = new ArrayList<>();
        // Oldest first: among TLSRoutes whose hostnames take a name equally, the Gateway API's tie-break.
        for (Resource route : config.oldestFirst(Kind.TLS_ROUTE)) {
            TlsRouteSpec spec = route.specAs(TlsRouteSpec.class);
            if (spec.rules().isEmpty() || !attached(config, route, spec.parentRefs(), gw, l)) {
                continue;
            }
            List<String> sni = HttpBindings.intersection(spec.hostnames(), l.hostname());
            if (!sni.isEmpty()) {
                out.add(new SniRoute(route.key(), "spec.rules[0]", sni, ListenerBindings.backendTargets(
                        spec.rules().get(0).backendRefs(), route.namespace(), "spec.rules[0].backendRefs")));
            }
        }
        List<Resource> tcp = passthrough ? List.of() : tcpRoutes(config, gw, l);
        if (!tcp.isEmpty()) {
            Resource route = tcp.get(0);
            out.add(new SniRoute(route.key(), "spec.rules[0]", List.of("*"), ListenerBindings.backendTargets(
                    route.specAs(TcpRouteSpec.class).rules().get(0), route.namespace())));
        }
        return List.copyOf(out);
    }

    /**
     * The TCPRoutes attached to a terminating TLS listener, oldest first: the first takes what no TLSRoute's SNI
     * does (the Gateway API's tie-break is age, so a newer route in another namespace, whatever its name, cannot
     * take a listener's traffic); the validator refuses the others, as on a TCP port.
     */
    public static List<Resource> tcpRoutes(MeshConfig config, Resource gw, Listener l) {
        List<Resource> out = new ArrayList<>();
        for (Resource route : config.oldestFirst(Kind.TCP_ROUTE)) {
            TcpRouteSpec spec = route.specAs(TcpRouteSpec.class);
            if (!spec.rules().isEmpty() && attached(config, route, spec.parentRefs(), gw, l)) {
                out.add(route);
            }
        }
        return out;
    }

    private static boolean attached(MeshConfig config, Resource route,
                                    List<io.kshift.model.gateway.ParentReference> parents, Resource gw, Listener l) {
        return l.admitsNamespace(gw.namespace(), route.namespace(), NamespaceLabels.of(config))
                && l.admitsKind(route.type().kindName())
                && parents.stream().anyMatch(p -> ListenerBindings.attaches(p, route.namespace(), gw, l));
    }

    private static ResourceKey secret(String namespace, String name) {
        return new ResourceKey(Kind.SECRET, namespace, name);
    }

    private static String stripNamespace(String host) {
        return host.contains("/") ? host.substring(host.indexOf('/') + 1) : host;
    }

    private static String upper(String protocol) {
        return protocol == null ? "" : protocol.toUpperCase(Locale.ROOT);
    }

    /** Whether {@code sni} (null: none sent) is one of {@code names} (exact, {@code *.suffix}, or {@code *}). */
    public static boolean matches(List<String> names, String sni) {
        for (String n : names) {
            if ("*".equals(n) || sni != null && HostNames.matches(n, sni)) {
                return true;
            }
        }
        return false;
    }
}
