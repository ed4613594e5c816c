package io.kshift.validator.rules;

import io.kshift.model.gateway.KubeGatewaySpec;
import io.kshift.model.gateway.Listener;
import io.kshift.model.gateway.ListenerTls;
import io.kshift.model.gateway.ReferenceGrantSpec;
import io.kshift.model.gateway.SecretObjectReference;
import io.kshift.model.istio.GatewaySpec;
import io.kshift.model.istio.Server;
import io.kshift.model.istio.ServerTlsSettings;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import io.kshift.model.resource.ResourceKey;
import io.kshift.model.routing.TlsBindings;
import io.kshift.model.secret.Pem;
import io.kshift.model.secret.SecretSpec;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * TLS at the gateways, make-before-break: a server or listener that speaks HTTPS or TLS says how (terminate with
 * certificates, or pass through), every certificate it names is a Secret that exists, holds a certificate and a
 * key and reads (the key was proved to match when config-service sealed it), a MUTUAL server's CA too, and a
 * Gateway API listener's Secret in another namespace is granted by a ReferenceGrant there. Secrets are public
 * here only in their certificates: this service never holds the fleet key.
 */
final class TlsRules {
    private static final Clock CLOCK = Clock.systemUTC();

    private TlsRules() {
    }

    static void check(MeshConfig config, Findings findings) {
        for (Resource gw : config.ofKind(Kind.GATEWAY)) {
            List<Server> servers = gw.specAs(GatewaySpec.class).servers();
            for (int i = 0; i < servers.size(); i++) {
                istioServer(gw, servers.get(i), "spec.servers[" + i + "]", findings);
            }
        }
        for (Resource gw : config.ofKind(Kind.KUBE_GATEWAY)) {
            List<Listener> listeners = gw.specAs(KubeGatewaySpec.class).listeners();
            for (int i = 0; i < listeners.size(); i++) {
                listener(config, gw, listeners.get(i), "spec.listeners[" + i + "]", findings);
            }
            FrontendTlsRules.check(config, gw, findings);
            backendCertificate(config, gw, findings);
        }
        for (Resource dr : config.ofKind(Kind.DESTINATION_RULE)) {
            var spec = dr.specAs(io.kshift.model.istio.DestinationRuleSpec.class);
            policy(config, dr, spec.trafficPolicy(), "spec.trafficPolicy", findings);
            for (int i = 0; i < spec.subsets().size(); i++) {
                policy(config, dr, spec.subsets().get(i).trafficPolicy(), "spec.subsets[" + i + "].trafficPolicy",
                        findings);
            }
        }
        for (TlsBindings.Port port : TlsBindings.compute(config).values()) {
            if (port.http()) {
                sameTermination(port, findings);
            }
            Map<String, TlsBindings.Chain> names = new HashMap<>();
            for (TlsBindings.Chain chain : port.chains()) {
                if (chain.terminates()) {
                    termination(config, chain, findings);
                }
                for (String name : chain.serverNames()) {
                    TlsBindings.Chain first = names.putIfAbsent(name.toLowerCase(Locale.ROOT), chain);
                    if (first != null && !first.gateway().equals(chain.gateway())) {
                        findings.warn(chain.gateway(), chain.field(), "server name '" + name + "' on port "
                                + port.port() + " is already taken by " + first.gateway() + " " + first.field()
                                + "; connections for it go there");
                    }
                }
                if (!port.http() && chain.routes().isEmpty()) {
                    findings.warn(chain.gateway(), chain.field(), "no route serves "
                            + (chain.terminates() ? "" : "passthrough ") + "TLS on port " + port.port()
                            + "; connections to it will be closed");
                }
            }
        }
    }

    /**
     * A port is served either as HTTPS (TLS terminated, then http routes) or as a TLS port (passthrough or
     * terminated, then routes by SNI), not both: an HTTPS server that terminates next to a passthrough or TLS one on
     * its port would have its handshakes completed and its connections closed. Istio builds a filter chain of either
     * kind on one listener; kshift refuses the mix rather than serve half of it. Judged per node view: Gateways no node
     * serves together may each have a port their own way.
     */
    static void mixed(TlsBindings.Port port, java.util.Set<io.kshift.model.resource.ResourceKey> touched,
                      java.util.Set<String> reported, Findings findings) {
        TlsBindings.Chain first = port.chains().get(0);
        for (TlsBindings.Chain c : port.chains()) {
            if (c.http() != first.http() && reported.add(c.gateway() + " " + c.field())) { // once over all views
                // An error for the change that makes the mix; a mix already live (accepted before this rule) is
                // warned about, so it does not refuse every later change.
                boolean made = touched.contains(c.gateway()) || touched.contains(first.gateway());
                Reporter report = made ? findings::error : findings::warn;
                report.report(c.gateway(), c.field() + ".tls",
                        "port " + port.port() + " is served by "
                        + first.gateway() + " " + first.field() + (first.http() ? " as HTTPS (TLS terminated, then"
                        + " http routes)" : " as a TLS port (passthrough or routes by SNI)") + "; this server would be "
                        + (c.http() ? "HTTPS" : "passthrough or TLS") + " on it, which this kshift version does not"
                        + " serve on one port: put it on a port of its own");
            }
        }
    }

    private interface Reporter {
        void report(io.kshift.model.resource.ResourceKey resource, String field, String message);
    }

    /**
     * An HTTPS port terminates with one TLS setting (certificates chosen by SNI among all its servers'): its servers
     * must agree on whether clients present certificates, from which CA, and the TLS versions, or a client admitted
     * for one host could reach another's by its Host header.
     */
    private static void sameTermination(TlsBindings.Port port, Findings findings) {
        TlsBindings.Chain first = null;
        for (TlsBindings.Chain c : port.chains()) {
            if (!c.terminates()) {
                continue;
            }
            if (first == null) {
                first = c;
                continue;
            }
            TlsBindings.Termination a = first.termination();
            TlsBindings.Termination b = c.termination();
            boolean sameCa = a.clientCas().stream().map(TlsBindings.SecretRef::secret).collect(
                    java.util.stream.Collectors.toSet()).equals(b.clientCas().stream()
                    .map(TlsBindings.SecretRef::secret).collect(java.util.stream.Collectors.toSet()))
                    && a.clientAuth() == b.clientAuth() && a.clientRules().equals(b.clientRules())
                    && a.cipherSuites().equals(b.cipherSuites());
            if (!sameCa || !java.util.Objects.equals(a.minVersion(), b.minVersion())
                    || !java.util.Objects.equals(a.maxVersion(), b.maxVersion())) {
                findings.error(c.gateway(), c.field() + ".tls", "HTTPS port " + port.port() + " is already served by "
                        + first.gateway() + " " + first.field() + " with other TLS settings (mode, client CA,"
                        + " client certificate checks, protocol versions or cipher suites); one HTTPS port has one, its certificates chosen by SNI");
            }
        }
    }

    /** A policy's TLS, and each of its ports' (one entry per port). */
    private static void policy(MeshConfig config, Resource dr, io.kshift.model.istio.TrafficPolicy policy, String at,
                               Findings findings) {
        if (policy == null) {
            return;
        }
        origination(config, dr, policy.tls(), at + ".tls", findings);
        java.util.Set<Integer> ports = new java.util.HashSet<>();
        for (int i = 0; i < policy.portLevelSettings().size(); i++) {
            var p = policy.portLevelSettings().get(i);
            String field = at + ".portLevelSettings[" + i + "]";
            if (p.port() != null && p.port().number() != null && !ports.add(p.port().number())) {
                findings.error(dr.key(), field + ".port.number", "port " + p.port().number() + " has settings"
                        + " already; one entry per port");
            }
            origination(config, dr, p.tls(), field + ".tls", findings);
        }
    }

    /** A DestinationRule's TLS toward its host: the modes served, and the Secret it names. */
    private static void origination(MeshConfig config, Resource dr, io.kshift.model.istio.ClientTlsSettings tls,
                                    String at, Findings findings) {
        if (tls == null) {
            return;
        }
        var mode = tls.mode() == null ? io.kshift.model.istio.ClientTlsSettings.Mode.DISABLE : tls.mode();
        if (mode == io.kshift.model.istio.ClientTlsSettings.Mode.ISTIO_MUTUAL) {
            findings.error(dr.key(), at + ".mode", "ISTIO_MUTUAL is Istio's mesh mTLS with sidecar identities, which"
                    + " kshift proxies (shared gateways) do not have; use SIMPLE or MUTUAL with a credentialName");
            return;
        }
        subjectAltNames(dr.key(), tls.subjectAltNames(), at + ".subjectAltNames", findings);
        if (!tls.originates() && !tls.subjectAltNames().isEmpty()) {
            findings.warn(dr.key(), at + ".subjectAltNames", "ignored with mode " + mode + ": no TLS is originated");
        }
        if (mode == io.kshift.model.istio.ClientTlsSettings.Mode.MUTUAL && tls.credentialName() == null) {
            findings.error(dr.key(), at + ".credentialName", "is required for MUTUAL: the client certificate and key"
                    + " come from a Secret in namespace " + dr.namespace());
        }
        if (!tls.originates()) {
            return;
        }
        if (!tls.verifies()) {
            findings.warn(dr.key(), at + ".insecureSkipVerify", "the destination's certificate is not checked: any"
                    + " server can answer for it" + (tls.subjectAltNames().isEmpty() ? ""
                    : " (subjectAltNames are not checked either)"));
        }
        if (tls.credentialName() != null) {
            TlsBindings.SecretRef ref = new TlsBindings.SecretRef(new ResourceKey(Kind.SECRET, dr.namespace(),
                    tls.credentialName()), at + ".credentialName");
            boolean mutual = mode == io.kshift.model.istio.ClientTlsSettings.Mode.MUTUAL;
            Optional<Resource> secret = config.get(ref.secret());
            if (mutual || secret.isEmpty()) {
                secret(config, dr.key(), ref, true, findings);
            }
            if (secret.isPresent() && tls.verifies()
                    && secret.get().specAs(SecretSpec.class).caEntry().isEmpty()) {
                findings.warn(dr.key(), ref.field(), "Secret " + ref.secret().namespace() + "/" + ref.secret().name()
                        + " holds no CA (ca.crt, or cacert): the JDK's trusted CAs check the destination's certificate");
            }
        }
    }

    /**
     * Names a certificate must carry (a DestinationRule's, a ServiceEntry's): each a DNS name, a URI or an IP
     * address, compared as written, so one that is blank or holds spaces can never match.
     */
    static void subjectAltNames(ResourceKey owner, List<String> names, String at, Findings findings) {
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (name == null || name.isBlank()) {
                findings.error(owner, at + "[" + i + "]", "must not be empty");
            } else if (name.chars().anyMatch(Character::isWhitespace)) {
                findings.error(owner, at + "[" + i + "]", "'" + name + "' holds whitespace, which no certificate"
                        + " name does");
            }
        }
    }

    /** A server's checks of client certificates: names, and pins that read as SHA-256 digests. */
    private static void clientCertificateRules(ResourceKey gw, ServerTlsSettings tls, String at, Findings findings) {
        subjectAltNames(gw, tls.subjectAltNames(), at + ".subjectAltNames", findings);
        for (int i = 0; i < tls.verifyCertificateSpki().size(); i++) {
            if (TlsBindings.ClientCertificateRules.spkiHash(tls.verifyCertificateSpki().get(i)).isEmpty()) {
                findings.error(gw, at + ".verifyCertificateSpki[" + i + "]", "is not the base64 of a SHA-256 digest"
                        + " (32 bytes) of a certificate's public key");
            }
        }
        for (int i = 0; i < tls.verifyCertificateHash().size(); i++) {
            if (TlsBindings.ClientCertificateRules.certificateHash(tls.verifyCertificateHash().get(i)).isEmpty()) {
                findings.error(gw, at + ".verifyCertificateHash[" + i + "]", "is not a SHA-256 digest of a"
                        + " certificate in hex (64 digits, colons allowed)");
            }
        }
        var mode = tls.effectiveMode();
        if (mode != ServerTlsSettings.Mode.MUTUAL && mode != ServerTlsSettings.Mode.OPTIONAL_MUTUAL) {
            for (var e : List.of(Map.entry("subjectAltNames", tls.subjectAltNames()), Map.entry(
                    "verifyCertificateSpki", tls.verifyCertificateSpki()), Map.entry("verifyCertificateHash",
                    tls.verifyCertificateHash()))) {
                if (!e.getValue().isEmpty()) {
                    findings.warn(gw, at + "." + e.getKey(), "ignored with mode " + mode + ": no client certificate"
                            + " is asked for (MUTUAL or OPTIONAL_MUTUAL)");
                }
            }
        }
    }

    private static void istioServer(Resource gw, Server s, String field, Findings findings) {
        String protocol = s.port().protocol() == null ? "" : s.port().protocol().toUpperCase(Locale.ROOT);
        boolean secure = protocol.equals("HTTPS") || protocol.equals("TLS");
        ServerTlsSettings tls = s.tls();
        if (tls == null) {
            if (secure) {
                findings.error(gw.key(), field + ".tls", "is required for protocol " + protocol + " (mode SIMPLE or"
                        + " MUTUAL with a credentialName, or PASSTHROUGH)");
            }
            return;
        }
        String at = field + ".tls";
        if (!secure) {
            boolean onlyRedirect = tls.mode() == null && tls.credentials().isEmpty() && tls.subjectAltNames().isEmpty()
                    && tls.verifyCertificateSpki().isEmpty() && tls.verifyCertificateHash().isEmpty()
                    && tls.cipherSuites().isEmpty();
            if (!onlyRedirect) {
                findings.error(gw.key(), at, "only httpsRedirect applies to a " + protocol + " server; TLS modes,"
                        + " credentials, cipher suites and client certificate checks are for protocols HTTPS and TLS");
            } else if (!protocol.equals("HTTP")) {
                findings.error(gw.key(), at + ".httpsRedirect", "applies to HTTP servers only");
            }
            return;
        }
        switch (tls.effectiveMode()) {
            case AUTO_PASSTHROUGH, ISTIO_MUTUAL -> findings.error(gw.key(), at + ".mode", tls.effectiveMode()
                    + " is Istio's mesh mTLS between sidecars, which kshift proxies (shared gateways) do not take part"
                    + " in; use SIMPLE, MUTUAL or PASSTHROUGH");
            case SIMPLE, MUTUAL, OPTIONAL_MUTUAL -> {
                if (tls.credentials().isEmpty()) {
                    findings.error(gw.key(), at + ".credentialName", "is required for mode " + tls.effectiveMode()
                            + ": the certificate and key come from a Secret in namespace " + gw.namespace());
                }
                if (tls.credentialNames().size() > 2) {
                    findings.error(gw.key(), at + ".credentialNames", "at most 2 (say an RSA and an ECDSA"
                            + " certificate)");
                }
                if (tls.credentialName() != null && !tls.credentialNames().isEmpty()) {
                    findings.error(gw.key(), at + ".credentialNames", "set credentialName or credentialNames, not"
                            + " both");
                }
            }
            case PASSTHROUGH -> {
                if (!tls.credentials().isEmpty()) {
                    findings.warn(gw.key(), at + ".credentialName", "ignored with mode PASSTHROUGH: the backend"
                            + " terminates TLS");
                }
            }
        }
        if (tls.caCertCredentialName() != null && tls.effectiveMode() != ServerTlsSettings.Mode.MUTUAL
                && tls.effectiveMode() != ServerTlsSettings.Mode.OPTIONAL_MUTUAL) {
            findings.warn(gw.key(), at + ".caCertCredentialName", "used with modes MUTUAL and OPTIONAL_MUTUAL only;"
                    + " ignored");
        }
        clientCertificateRules(gw.key(), tls, at, findings);
        List<String> unknown = io.kshift.model.routing.CipherSuites.unknown(tls.cipherSuites());
        if (!unknown.isEmpty()) {
            boolean none = io.kshift.model.routing.CipherSuites.served(tls.cipherSuites()).isEmpty();
            findings.warn(gw.key(), at + ".cipherSuites", "ignored, as Istio ignores them: " + unknown + " name no TLS"
                    + " 1.2 cipher suite Istio knows" + (none ? "; with none left, the TLS library's defaults apply"
                    : ""));
        }
        if (tls.redirects()) {
            findings.warn(gw.key(), at + ".httpsRedirect", "applies to HTTP servers; ignored on " + protocol);
        }
        if (tls.minProtocolVersion() != null && tls.maxProtocolVersion() != null
                && tls.minProtocolVersion() != ServerTlsSettings.ProtocolVersion.TLS_AUTO
                && tls.maxProtocolVersion() != ServerTlsSettings.ProtocolVersion.TLS_AUTO
                && tls.minProtocolVersion().compareTo(tls.maxProtocolVersion()) > 0) {
            findings.error(gw.key(), at + ".minProtocolVersion", "is above maxProtocolVersion");
        }
    }

    private static void listener(MeshConfig config, Resource gw, Listener l, String field, Findings findings) {
        String protocol = l.protocol() == null ? "" : l.protocol().toUpperCase(Locale.ROOT);
        ListenerTls tls = l.tls();
        if (!protocol.equals("HTTPS") && !protocol.equals("TLS")) {
            if (tls != null) {
                findings.error(gw.key(), field + ".tls", "applies to HTTPS and TLS listeners, not " + protocol);
            }
            return;
        }
        if (tls == null) {
            findings.error(gw.key(), field + ".tls", "is required for an " + protocol + " listener");
            return;
        }
        if (protocol.equals("TLS") && tls.effectiveMode() != ListenerTls.Mode.Passthrough) {
            // What no TLSRoute's SNI takes goes to one TCPRoute, the oldest, as a TCP port's does.
            List<Resource> tcp = TlsBindings.tcpRoutes(config, gw, l);
            for (Resource r : tcp.subList(Math.min(1, tcp.size()), tcp.size())) {
                findings.laterRule(r.key(), "spec.parentRefs", "TLS listener '" + l.name() + "' of " + gw.key()
                        + " is already routed by " + tcp.get(0).key() + "; a listener takes one TCPRoute",
                        tcp.get(0).key());
            }
        }
        String at = field + ".tls";
        boolean passthrough = tls.effectiveMode() == ListenerTls.Mode.Passthrough;
        if (passthrough && protocol.equals("HTTPS")) {
            findings.error(gw.key(), at + ".mode", "an HTTPS listener terminates TLS; for Passthrough use protocol"
                    + " TLS with TLSRoutes");
        }
        if (passthrough && !tls.certificateRefs().isEmpty()) {
            findings.warn(gw.key(), at + ".certificateRefs", "ignored with mode Passthrough: the backend terminates"
                    + " TLS");
        }
        if (!passthrough && tls.certificateRefs().isEmpty()) {
            findings.error(gw.key(), at + ".certificateRefs", "at least one is required to terminate TLS");
        }
        if (!tls.options().isEmpty()) {
            findings.warn(gw.key(), at + ".options", "implementation-specific options; kshift defines none, so "
                    + tls.options().keySet() + " are ignored");
        }
        for (int i = 0; !passthrough && i < tls.certificateRefs().size(); i++) {
            SecretObjectReference ref = tls.certificateRefs().get(i);
            String refField = at + ".certificateRefs[" + i + "]";
            if (!ref.isSecret()) {
                findings.error(gw.key(), refField + ".kind", "certificates are read from Secrets only, not "
                        + (ref.kind() == null ? "group " + ref.group() : ref.kind()));
            } else {
                granted(config, gw, ref, refField, findings);
            }
        }
    }

    /** A Gateway's Secret in another namespace is allowed there by a ReferenceGrant; whether it was. */
    static boolean granted(MeshConfig config, Resource gw, SecretObjectReference ref, String field,
                           Findings findings) {
        if (ref.namespace() != null && !ref.namespace().equals(gw.namespace())
                && config.ofKind(Kind.REFERENCE_GRANT).stream().filter(g -> g.namespace().equals(ref.namespace()))
                .noneMatch(g -> g.specAs(ReferenceGrantSpec.class).allowsCore("Gateway", gw.namespace(),
                        "Secret", ref.name()))) {
            findings.error(gw.key(), field + ".namespace", "Secret " + ref.namespace() + "/" + ref.name()
                    + " is in another namespace: a ReferenceGrant in " + ref.namespace() + " must allow Gateways"
                    + " from namespace " + gw.namespace() + " to refer to it");
            return false;
        }
        return true;
    }

    /** A Gateway's client certificate for backends: a Secret it may refer to, with a certificate and a key. */
    private static void backendCertificate(MeshConfig config, Resource gw, Findings findings) {
        SecretObjectReference ref = io.kshift.model.gateway.GatewayTls.clientCertificate(
                gw.specAs(KubeGatewaySpec.class).tls()).orElse(null);
        if (ref == null) {
            return;
        }
        String at = "spec.tls.backend.clientCertificateRef";
        if (!ref.isSecret()) {
            findings.error(gw.key(), at + ".kind", "a client certificate is read from a Secret only, not "
                    + (ref.kind() == null ? "group " + ref.group() : ref.kind()));
        } else if (granted(config, gw, ref, at, findings)) {
            secret(config, gw.key(), new TlsBindings.SecretRef(new ResourceKey(Kind.SECRET, ref.namespace() == null
                    ? gw.namespace() : ref.namespace(), ref.name()), at), true, findings);
        }
    }

    private static void termination(MeshConfig config, TlsBindings.Chain chain, Findings findings) {
        for (TlsBindings.SecretRef ref : chain.termination().certificates()) {
            secret(config, chain.gateway(), ref, true, findings);
        }
        for (TlsBindings.SecretRef ca : chain.termination().clientCas()) {
            caBundle(config, chain.gateway(), ca, "client certificates", findings);
        }
    }

    /**
     * A CA bundle (a ConfigMap's or a Secret's {@code ca.crt}) that checks {@code what}: it exists and reads. A
     * Gateway's client validation names them, and a BackendTLSPolicy's.
     */
    static void caBundle(MeshConfig config, ResourceKey owner, TlsBindings.SecretRef ref, String what,
                         Findings findings) {
        if (ref.secret().kind() == Kind.CONFIG_MAP) {
            configMap(config, owner, ref, what, findings);
        } else {
            secret(config, owner, ref, false, what, findings);
        }
    }

    private static void configMap(MeshConfig config, ResourceKey owner, TlsBindings.SecretRef ref, String what,
                                  Findings findings) {
        Optional<Resource> found = config.get(ref.secret());
        String name = "ConfigMap " + ref.secret().namespace() + "/" + ref.secret().name();
        if (found.isEmpty()) {
            findings.error(owner, ref.field(), name + " does not exist; apply it first (a " + owner.kind()
                    .kindName() + " may not check " + what + " with a CA it cannot read)");
            return;
        }
        Optional<String> pem = TlsBindings.caBundle(found.get());
        if (pem.isEmpty()) {
            findings.error(owner, ref.field(), name + " holds no ca.crt to check " + what + " with");
            return;
        }
        certificates(owner, ref, name + " ca.crt", pem.get().getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                findings);
    }

    private static void secret(MeshConfig config, ResourceKey gateway, TlsBindings.SecretRef ref, boolean identity,
                               Findings findings) {
        secret(config, gateway, ref, identity, "client certificates", findings);
    }

    /** {@code identity}: must hold a certificate and a key; otherwise a CA bundle that checks {@code what}. */
    private static void secret(MeshConfig config, ResourceKey gateway, TlsBindings.SecretRef ref, boolean identity,
                               String what, Findings findings) {
        Optional<Resource> found = config.get(ref.secret());
        String name = "Secret " + ref.secret().namespace() + "/" + ref.secret().name();
        if (found.isEmpty()) {
            findings.error(gateway, ref.field(), name + " does not exist; apply it first (a " + gateway.kind()
                    .kindName() + " may not name a certificate it cannot use)");
            return;
        }
        SecretSpec spec = found.get().specAs(SecretSpec.class);
        Optional<String> entry = identity ? spec.certificateEntry() : spec.caEntry();
        if (entry.isEmpty()) {
            findings.error(gateway, ref.field(), name + (identity ? " holds no certificate (tls.crt, or cert)"
                    : " holds no CA certificate (ca.crt, or cacert) to check " + what + " with"));
            return;
        }
        if (identity && spec.keyEntry().isEmpty()) {
            findings.error(gateway, ref.field(), name + " holds no private key (tls.key, or key)");
            return;
        }
        certificates(gateway, ref, name + " " + entry.get(), spec.publicBytes(entry.get()).orElseThrow(), findings);
    }

    /** PEM certificates that must read; the first one's expiry is warned about. */
    private static void certificates(ResourceKey gateway, TlsBindings.SecretRef ref, String what, byte[] pem,
                                     Findings findings) {
        try {
            List<X509Certificate> certs = Pem.certificates(pem);
            X509Certificate leaf = certs.get(0);
            if (leaf.getNotAfter().toInstant().isBefore(CLOCK.instant())) {
                findings.warn(gateway, ref.field(), what + ": its certificate expired on " + leaf.getNotAfter()
                        .toInstant() + "; clients will refuse it");
            }
        } catch (Pem.PemException | IllegalArgumentException e) {
            findings.error(gateway, ref.field(), what + " " + e.getMessage());
        }
    }
}
