package io.kshift.validator.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.ValidationMessage;
import io.kshift.samples.tls.DemoPki;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import io.kshift.model.resource.Resource;

/** TLS at the gateways: what a server or listener must say, and the Secrets it names. */
class TlsRulesTest {
    private final ChangeValidatorTest base = new ChangeValidatorTest();
    private final ChangeValidator validator = base.validator;

    static final DemoPki PKI = DemoPki.create("rules-ca");

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
    }

    static String secret(String ns, String name, DemoPki.Issued issued) {
        return """
                apiVersion: v1
                kind: Secret
                metadata: {name: %s, namespace: %s}
                type: kubernetes.io/tls
                data: {tls.crt: %s, tls.key: %s}
                """.formatted(name, ns, b64(issued.certPem()), b64("sealed-elsewhere"));
    }

    static final String HTTPS_GATEWAY = """
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: web}
            spec:
              servers:
              - port: {number: 8443, name: https, protocol: HTTPS}
                hosts: [web.example.com]
                tls: {mode: SIMPLE, credentialName: web-cert}
            """;

    static List<String> errors(ChangeValidator.Decision d) {
        return d.result().errors().stream().map(m -> m.resource() + " " + m.field() + ": " + m.message()).toList();
    }

    @Test
    void aGatewayMayNotNameACertificateThatDoesNotExist() throws Exception {
        var refused = apply(MeshSnapshot.empty(), yaml(HTTPS_GATEWAY));
        assertThat(errors(refused)).containsExactly("Gateway default/web spec.servers[0].tls.credentialName: Secret"
                + " default/web-cert does not exist; apply it first (a Gateway may not name a certificate it cannot"
                + " use)");
        MeshSnapshot live = accepted(MeshSnapshot.empty(), yaml(secret("default", "web-cert",
                PKI.issue("web.example.com"))));
        var d = apply(live, yaml(HTTPS_GATEWAY));
        assertThat(d.result().errors()).isEmpty();
        live = d.next().orElseThrow();
        // Make-before-break: the Secret cannot go while the Gateway serves it.
        var delete = validator.decide(live, io.kshift.model.event.ChangeRequested.of("d", java.time.Instant.EPOCH,
                io.kshift.model.event.Operation.DELETE, yaml(secret("default", "web-cert", PKI.issue("x"))), false));
        assertThat(errors(delete)).singleElement().asString().contains("Secret default/web-cert does not exist");
    }

    @Test
    void aCertificateSecretMustHoldAReadableCertificateAndAKey() throws Exception {
        String noKey = """
                apiVersion: v1
                kind: Secret
                metadata: {name: web-cert}
                type: Opaque
                data: {cert: %s}
                """.formatted(b64(PKI.issue("web.example.com").certPem()));
        MeshSnapshot live = accepted(MeshSnapshot.empty(), yaml(noKey));
        assertThat(errors(apply(live, yaml(HTTPS_GATEWAY)))).containsExactly("Gateway default/web"
                + " spec.servers[0].tls.credentialName: Secret default/web-cert holds no private key (tls.key, or key)");
        String garbage = """
                apiVersion: v1
                kind: Secret
                metadata: {name: web-cert}
                data: {cert: %s, key: %s}
                """.formatted(b64("not a certificate"), b64("k"));
        live = accepted(MeshSnapshot.empty(), yaml(garbage));
        assertThat(errors(apply(live, yaml(HTTPS_GATEWAY)))).singleElement().asString()
                .contains("Secret default/web-cert cert holds no PEM certificate");
        // An expired certificate is served (clients decide), with a warning.
        live = accepted(MeshSnapshot.empty(), yaml(secret("default", "web-cert",
                PKI.issueWith("EC", Duration.ofMinutes(-30), "web.example.com"))));
        var d = apply(live, yaml(HTTPS_GATEWAY));
        assertThat(d.result().errors()).isEmpty();
        assertThat(d.result().warnings()).extracting(ValidationMessage::message)
                .anyMatch(m -> m.contains("its certificate expired on"));
    }

    @Test
    void modesSayWhatTheyNeedAndMeshOnlyModesAreRefusedWithWhy() throws Exception {
        var d = apply(MeshSnapshot.empty(), yaml("""
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: gw}
                spec:
                  servers:
                  - port: {number: 443, name: https, protocol: HTTPS}
                    hosts: ['*']
                  - port: {number: 15443, name: tls, protocol: TLS}
                    hosts: ['*.local']
                    tls: {mode: AUTO_PASSTHROUGH}
                  - port: {number: 8443, name: tls2, protocol: TLS}
                    hosts: ['*']
                    tls: {mode: MUTUAL}
                  - port: {number: 80, name: http, protocol: HTTP}
                    hosts: ['*']
                    tls: {mode: SIMPLE, credentialName: x}
                """));
        assertThat(errors(d)).containsExactlyInAnyOrder(
                "Gateway default/gw spec.servers[0].tls: is required for protocol HTTPS (mode SIMPLE or MUTUAL with a"
                        + " credentialName, or PASSTHROUGH)",
                "Gateway default/gw spec.servers[1].tls.mode: AUTO_PASSTHROUGH is Istio's mesh mTLS between sidecars,"
                        + " which kshift proxies (shared gateways) do not take part in; use SIMPLE, MUTUAL or"
                        + " PASSTHROUGH",
                "Gateway default/gw spec.servers[2].tls.credentialName: is required for mode MUTUAL: the certificate"
                        + " and key come from a Secret in namespace default",
                "Gateway default/gw spec.servers[3].tls: only httpsRedirect applies to a HTTP server; TLS modes,"
                        + " credentials, cipher suites and client certificate checks are for protocols HTTPS and TLS");
    }

    @Test
    void aMutualServerNeedsACaToCheckClientsWith() throws Exception {
        MeshSnapshot live = accepted(MeshSnapshot.empty(), yaml(secret("default", "web-cert",
                PKI.issue("web.example.com"))));
        String mutual = HTTPS_GATEWAY.replace("mode: SIMPLE", "mode: MUTUAL");
        assertThat(errors(apply(live, yaml(mutual)))).containsExactly("Gateway default/web"
                + " spec.servers[0].tls.credentialName: Secret default/web-cert holds no CA certificate (ca.crt, or"
                + " cacert) to check client certificates with");
        // Istio's convention: the CA in a Secret named <credentialName>-cacert.
        live = accepted(live, yaml("""
                apiVersion: v1
                kind: Secret
                metadata: {name: web-cert-cacert}
                data: {ca.crt: %s}
                """.formatted(b64(PKI.caPem()))));
        assertThat(apply(live, yaml(mutual)).result().errors()).isEmpty();
    }

    @Test
    void passthroughRoutesBySniToDestinationsThatResolve() throws Exception {
        MeshSnapshot live = seeded();
        var d = apply(live, yaml("""
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: tls-gw}
                spec:
                  servers:
                  - port: {number: 31443, name: tls, protocol: TLS}
                    hosts: ['*.example.com']
                    tls: {mode: PASSTHROUGH}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: echo-tls}
                spec:
                  hosts: [echo.example.com]
                  gateways: [tls-gw]
                  tls:
                  - match: [{sniHosts: [echo.example.com]}]
                    route:
                    - destination: {host: tcp-echo, subset: v1, port: {number: 9000}}
                      weight: 80
                    - destination: {host: tcp-echo, subset: v9, port: {number: 9000}}
                      weight: 20
                """));
        assertThat(errors(d)).singleElement().asString().startsWith("VirtualService default/echo-tls"
                + " spec.tls[0].route[1].destination.subset:");
    }

    @Test
    void gatewayApiListenersTerminateWithGrantedSecretsAndTakeTlsRoutes() throws Exception {
        MeshSnapshot live = accepted(seeded(), yaml(secret("certs", "wildcard", PKI.issue("*.example.com"))));
        String gateway = """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: default}
                spec:
                  gatewayClassName: kshift
                  listeners:
                  - name: https
                    protocol: HTTPS
                    port: 443
                    tls:
                      certificateRefs: [{name: wildcard, namespace: certs}]
                  - name: tls
                    protocol: TLS
                    port: 8443
                    tls: {mode: Passthrough}
                """;
        assertThat(errors(apply(live, yaml(gateway)))).containsExactly("Gateway.gateway.networking.k8s.io"
                + " default/gw spec.listeners[0].tls.certificateRefs[0].namespace: Secret certs/wildcard is in another"
                + " namespace: a ReferenceGrant in certs must allow Gateways from namespace default to refer to it");
        live = accepted(live, yaml("""
                apiVersion: gateway.networking.k8s.io/v1beta1
                kind: ReferenceGrant
                metadata: {name: certs-for-default, namespace: certs}
                spec:
                  from: [{group: gateway.networking.k8s.io, kind: Gateway, namespace: default}]
                  to: [{group: "", kind: Secret}]
                """));
        live = accepted(live, yaml(gateway));
        String tlsRoute = """
                apiVersion: gateway.networking.k8s.io/v1
                kind: TLSRoute
                metadata: {name: echo}
                spec:
                  parentRefs: [{name: gw, sectionName: %s}]
                  hostnames: [echo.example.com]
                  rules:
                  - backendRefs: [{name: tcp-echo, port: 9000}]
                """;
        assertThat(apply(live, yaml(tlsRoute.formatted("tls"))).result().errors()).isEmpty();
        assertThat(errors(apply(live, yaml(tlsRoute.formatted("https"))))).containsExactly("TLSRoute default/echo"
                + " spec.parentRefs[0]: listener 'https' speaks HTTPS; a TLSRoute attaches to TLS listeners");
    }

    @Test
    void aTerminatingTlsListenerTakesOneTcpRouteTheOldestAndAPassthroughOneNone() throws Exception {
        MeshSnapshot live = accepted(seeded(), yaml(secret("default", "wildcard", PKI.issue("*.example.com"))));
        live = accepted(live, yaml("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: default}
                spec:
                  gatewayClassName: kshift
                  listeners:
                  - {name: tls, protocol: TLS, port: 8443, tls: {mode: Passthrough}}
                  - name: term
                    protocol: TLS
                    port: 9443
                    tls: {certificateRefs: [{name: wildcard}]}
                    allowedRoutes: {namespaces: {from: All}}
                """));
        String tcpRoute = """
                apiVersion: gateway.networking.k8s.io/v1alpha2
                kind: TCPRoute
                metadata: {name: %s, namespace: %s}
                spec:
                  parentRefs: [{name: gw, namespace: default, sectionName: %s}]
                  rules:
                  - backendRefs: [{name: tcp-echo, namespace: default, port: 9000}]
                """;
        assertThat(errors(apply(live, yaml(tcpRoute.formatted("echo", "default", "tls"))))).containsExactly(
                "TCPRoute default/echo spec.parentRefs[0]: listener 'tls' passes TLS through (mode Passthrough: it"
                        + " routes by SNI, to TLSRoutes only); a TCPRoute attaches to TCP listeners and TLS listeners"
                        + " that terminate");
        live = accepted(live, yaml(tcpRoute.formatted("zeta", "default", "term")));
        // Another namespace's route, newer though its name sorts first: refused, the live one keeps the listener.
        // Two routes and a route on the passthrough listener accepted before these were checked: a change that
        // rechecks every route (a registry change) is not blocked by them, only told.
        String passthroughOnly = """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: pt, namespace: default}
                spec:
                  gatewayClassName: kshift
                  listeners: [{name: tls, protocol: TLS, port: 7443, tls: {mode: Passthrough}}]
                ---
                """;
        MeshSnapshot before = new MeshSnapshot(null, live.generation() + 1, "c", java.time.Instant.now(),
                io.kshift.model.mesh.MeshConfig.of(live.resources()).apply(yaml(tcpRoute.formatted("beta",
                        "default", "term") + "---\n" + tcpRoute.formatted("gamma", "default", "tls") + "---\n"
                        + passthroughOnly + tcpRoute.formatted("delta", "default", "x")
                        .replace("name: gw, namespace: default, sectionName: x", "name: pt, namespace: default")))
                        .config().all());
        var unrelated = apply(before, yaml("""
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: tcp-echo-extra}
                spec: {address: 10.0.0.77, ports: {tcp: 9000}, labels: {app: tcp-echo, version: v1}}
                """));
        assertThat(errors(unrelated)).isEmpty();
        assertThat(unrelated.result().warnings()).extracting(m -> m.resource() + " " + m.message())
                .anyMatch(w -> w.contains(" TLS listener 'term' ") && w.endsWith("(accepted before this was"
                        + " checked; refused once this resource, or what it attaches to, changes)"))
                .anyMatch(w -> w.startsWith("TCPRoute default/gamma listener 'tls' passes TLS through"))
                .anyMatch(w -> w.startsWith("TCPRoute default/delta Gateway default/pt's only listeners"));
        // A change to the Gateway itself that puts a live route on a Passthrough listener is refused: it is what
        // breaks the route.
        String gatewayNowPassthrough = """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw, namespace: default}
                spec:
                  gatewayClassName: kshift
                  listeners:
                  - {name: tls, protocol: TLS, port: 8443, tls: {mode: Passthrough}}
                  - {name: term, protocol: TLS, port: 9443, tls: {mode: Passthrough}, allowedRoutes: {namespaces: {from: All}}}
                """;
        assertThat(errors(apply(live, yaml(gatewayNowPassthrough)))).anyMatch(e -> e.startsWith(
                "TCPRoute default/zeta spec.parentRefs[0]: listener 'term' passes TLS through"));
        assertThat(errors(apply(live, yaml(tcpRoute.formatted("alpha", "other", "term")
                + "---\napiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\nmetadata: {name: to-echo}\n"
                + "spec:\n  from: [{group: gateway.networking.k8s.io, kind: TCPRoute, namespace: other}]\n"
                + "  to: [{group: '', kind: Service}]\n")))).containsExactly(
                "TCPRoute other/alpha spec.parentRefs: TLS listener 'term' of Gateway.gateway.networking.k8s.io"
                        + " default/gw is already routed by TCPRoute default/zeta; a listener takes one TCPRoute");
    }

    @Test
    void originationNeedsItsSecretAndMeshOnlyModesAreRefused() throws Exception {
        MeshSnapshot live = seeded();
        String rule = """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: tcp-echo}
                spec:
                  host: tcp-echo
                  trafficPolicy: {tls: {mode: %s}}
                  subsets:
                  - {name: v1, labels: {version: v1}, trafficPolicy: {tls: {mode: SIMPLE, credentialName: echo-ca}}}
                  - {name: v2, labels: {version: v2}}
                """;
        assertThat(errors(apply(live, yaml(rule.formatted("ISTIO_MUTUAL"))))).containsExactlyInAnyOrder(
                "DestinationRule default/tcp-echo spec.trafficPolicy.tls.mode: ISTIO_MUTUAL is Istio's mesh mTLS with"
                        + " sidecar identities, which kshift proxies (shared gateways) do not have; use SIMPLE or MUTUAL"
                        + " with a credentialName",
                "DestinationRule default/tcp-echo spec.subsets[0].trafficPolicy.tls.credentialName: Secret"
                        + " default/echo-ca does not exist; apply it first (a DestinationRule may not name a"
                        + " certificate it cannot use)");
        assertThat(errors(apply(live, yaml(rule.formatted("MUTUAL"))))).contains("DestinationRule default/tcp-echo"
                + " spec.trafficPolicy.tls.credentialName: is required for MUTUAL: the client certificate and key"
                + " come from a Secret in namespace default");
        live = accepted(live, yaml("""
                apiVersion: v1
                kind: Secret
                metadata: {name: echo-ca}
                data: {ca.crt: %s}
                """.formatted(b64(PKI.caPem()))));
        var d = apply(live, yaml(rule.formatted("DISABLE")));
        assertThat(d.result().errors()).isEmpty();
    }

    @Test
    void subjectAltNamesMustBeNamesAndAreWarnedAboutWhereNothingChecksThem() throws Exception {
        MeshSnapshot live = accepted(seeded(), yaml("""
                apiVersion: v1
                kind: Secret
                metadata: {name: echo-ca}
                data: {ca.crt: %s}
                """.formatted(b64(PKI.caPem()))));
        String rule = """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: tcp-echo-destination}
                spec:
                  host: tcp-echo
                  trafficPolicy: {tls: %s}
                  subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
                """;
        var ok = apply(live, yaml(rule.formatted("{mode: SIMPLE, credentialName: echo-ca, subjectAltNames:"
                + " [tcp-echo.internal, 'spiffe://cluster.local/ns/default/sa/tcp-echo', 10.0.0.1]}")));
        assertThat(ok.result().errors()).isEmpty();
        assertThat(ok.result().warnings()).isEmpty();
        String at = "DestinationRule default/tcp-echo-destination spec.trafficPolicy.tls";
        assertThat(errors(apply(live, yaml(rule.formatted("{mode: SIMPLE, subjectAltNames: ['', ~]}")))))
                .containsExactly(at + ".subjectAltNames[0]: must not be empty",
                        at + ".subjectAltNames[1]: must not be empty");
        assertThat(errors(apply(live, yaml(rule.formatted("{mode: SIMPLE, subjectAltNames: [ok, 'a b']}")))))
                .containsExactly(at + ".subjectAltNames[1]: 'a b' holds whitespace, which no certificate name does");
        assertThat(warnings(apply(live, yaml(rule.formatted("{mode: SIMPLE, insecureSkipVerify: true,"
                + " subjectAltNames: [tcp-echo.internal]}"))))).containsExactly(at + ".insecureSkipVerify: the"
                + " destination's certificate is not checked: any server can answer for it (subjectAltNames are not"
                + " checked either)");
        assertThat(warnings(apply(live, yaml(rule.formatted("{mode: DISABLE, subjectAltNames: [tcp-echo.internal]}")))))
                .containsExactly(at + ".subjectAltNames: ignored with mode DISABLE: no TLS is originated");
        assertThat(errors(apply(live, yaml("""
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: external}
                spec:
                  hosts: [api.example.com]
                  ports: [{number: 443, name: https, protocol: HTTPS}]
                  resolution: DNS
                  subjectAltNames: [api.example.com, " "]
                """)))).containsExactly("ServiceEntry default/external spec.subjectAltNames[1]: must not be empty");
    }

    @Test
    void clientCertificateChecksMustReadAndAgreeOnAPort() throws Exception {
        MeshSnapshot live = accepted(MeshSnapshot.empty(), yaml(secret("default", "web-cert", PKI.issue("web"))
                + """
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: web-cert-cacert}
                data: {ca.crt: %s}
                """.formatted(b64(PKI.caPem()))));
        String gateway = TWO_HTTPS_SERVERS;
        String hex = "AB:".repeat(31) + "AB";
        String checks = "subjectAltNames: ['spiffe://example.com/client'], verifyCertificateSpki: ['%s'],"
                + " verifyCertificateHash: ['%s', '%s']";
        String good = checks.formatted(Base64.getEncoder().encodeToString(new byte[32]), hex, hex.replace(":", ""));
        var ok = apply(live, yaml(gateway.formatted("MUTUAL", good, "MUTUAL", good)));
        assertThat(ok.result().errors()).isEmpty();
        assertThat(warnings(ok)).allMatch(w -> w.contains("no http route serves port 8443"));

        String bad = checks.formatted(Base64.getEncoder().encodeToString(new byte[20]), "abc", "x".repeat(64));
        assertThat(errors(apply(live, yaml(gateway.formatted("MUTUAL", bad, "MUTUAL", bad))))).containsExactly(
                "Gateway default/web spec.servers[0].tls.verifyCertificateSpki[0]: is not the base64 of a SHA-256"
                        + " digest (32 bytes) of a certificate's public key",
                "Gateway default/web spec.servers[0].tls.verifyCertificateHash[0]: is not a SHA-256 digest of a"
                        + " certificate in hex (64 digits, colons allowed)",
                "Gateway default/web spec.servers[0].tls.verifyCertificateHash[1]: is not a SHA-256 digest of a"
                        + " certificate in hex (64 digits, colons allowed)",
                "Gateway default/web spec.servers[1].tls.verifyCertificateSpki[0]: is not the base64 of a SHA-256"
                        + " digest (32 bytes) of a certificate's public key",
                "Gateway default/web spec.servers[1].tls.verifyCertificateHash[0]: is not a SHA-256 digest of a"
                        + " certificate in hex (64 digits, colons allowed)",
                "Gateway default/web spec.servers[1].tls.verifyCertificateHash[1]: is not a SHA-256 digest of a"
                        + " certificate in hex (64 digits, colons allowed)");

        // One HTTPS port holds every client to the same checks: a client let in for a.example.com could send
        // requests for b.example.com.
        assertThat(errors(apply(live, yaml(gateway.formatted("MUTUAL", good, "MUTUAL", "subjectAltNames: [x]")))))
                .containsExactly("Gateway default/web spec.servers[1].tls: HTTPS port 8443 is already served by"
                        + " Gateway default/web spec.servers[0] with other TLS settings (mode, client CA, client"
                        + " certificate checks, protocol versions or cipher suites); one HTTPS port has one, its"
                        + " certificates chosen by SNI");
        assertThat(warnings(apply(live, yaml(gateway.formatted("SIMPLE", "subjectAltNames: [x]", "SIMPLE",
                "subjectAltNames: [x]"))))).contains("Gateway default/web spec.servers[0].tls.subjectAltNames:"
                + " ignored with mode SIMPLE: no client certificate is asked for (MUTUAL or OPTIONAL_MUTUAL)",
                "Gateway default/web spec.servers[1].tls.subjectAltNames: ignored with mode SIMPLE: no client"
                        + " certificate is asked for (MUTUAL or OPTIONAL_MUTUAL)");
    }

    @Test
    void cipherSuitesIstioDoesNotKnowAreIgnoredWithAWarningAndOnePortAgreesOnThem() throws Exception {
        MeshSnapshot live = accepted(MeshSnapshot.empty(), yaml(secret("default", "web-cert", PKI.issue("web"))));
        String gateway = TWO_HTTPS_SERVERS.formatted("SIMPLE", "cipherSuites: %s", "SIMPLE",
                "cipherSuites: %s");
        String good = "[ECDHE-RSA-AES256-GCM-SHA384, '[ECDHE-ECDSA-AES128-GCM-SHA256|ECDHE-ECDSA-CHACHA20-POLY1305]']";
        var ok = apply(live, yaml(gateway.formatted(good, good)));
        assertThat(ok.result().errors()).isEmpty();
        assertThat(warnings(ok)).allMatch(w -> w.contains("no http route"));
        String odd = "[ECDHE-RSA-AES256-GCM-SHA384, TLS_RSA_WITH_NULL_SHA, '[AES128-SHA|RC4-MD5]']";
        assertThat(warnings(apply(live, yaml(gateway.formatted(odd, odd))))).contains("Gateway default/web"
                + " spec.servers[0].tls.cipherSuites: ignored, as Istio ignores them: [TLS_RSA_WITH_NULL_SHA,"
                + " [AES128-SHA|RC4-MD5]] name no TLS 1.2 cipher suite Istio knows");
        assertThat(errors(apply(live, yaml(gateway.formatted(good, "[AES128-GCM-SHA256]"))))).containsExactly(
                "Gateway default/web spec.servers[1].tls: HTTPS port 8443 is already served by Gateway default/web"
                        + " spec.servers[0] with other TLS settings (mode, client CA, client certificate checks,"
                        + " protocol versions or cipher suites); one HTTPS port has one, its certificates chosen by"
                        + " SNI");
    }

    /** Two HTTPS servers on one port: each one's mode, then the rest of its tls. */
    static final String TWO_HTTPS_SERVERS = """
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: web}
            spec:
              servers:
              - port: {number: 8443, name: https, protocol: HTTPS}
                hosts: [a.example.com]
                tls: {mode: %s, credentialName: web-cert, %s}
              - port: {number: 8443, name: https-b, protocol: HTTPS}
                hosts: [b.example.com]
                tls: {mode: %s, credentialName: web-cert, %s}
            """;

    static List<String> warnings(ChangeValidator.Decision d) {
        return d.result().warnings().stream().map(m -> m.resource() + " " + m.field() + ": " + m.message()).toList();
    }

    @Test
    void oneHttpsPortHasOneTlsSettingAndSniHostsAreTheVirtualServicesOwn() throws Exception {
        MeshSnapshot live = accepted(seeded(), yaml(secret("default", "a-cert", PKI.issue("a.example.com"))
                + "---\n" + secret("default", "b-cert", PKI.issue("b.example.com")) + """
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: b-cert-cacert}
                data: {ca.crt: %s}
                """.formatted(b64(PKI.caPem()))));
        var d = apply(live, yaml("""
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: gw}
                spec:
                  servers:
                  - port: {number: 443, name: a, protocol: HTTPS}
                    hosts: [a.example.com]
                    tls: {mode: SIMPLE, credentialName: a-cert}
                  - port: {number: 443, name: b, protocol: HTTPS}
                    hosts: [b.example.com]
                    tls: {mode: MUTUAL, credentialName: b-cert}
                  - port: {number: 8443, name: tls, protocol: TLS}
                    hosts: ['*.example.com']
                    tls: {mode: PASSTHROUGH}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: a}
                spec:
                  hosts: [a.example.com]
                  gateways: [gw]
                  tls:
                  - match: [{sniHosts: [a.example.com, b.example.com]}]
                    route: [{destination: {host: tcp-echo, subset: v1}}]
                """));
        assertThat(errors(d)).containsExactlyInAnyOrder(
                "Gateway default/gw spec.servers[1].tls: HTTPS port 443 is already served by Gateway default/gw"
                        + " spec.servers[0] with other TLS settings (mode, client CA, client certificate checks,"
                        + " protocol versions or cipher suites); one HTTPS port has one, its certificates chosen by"
                        + " SNI",
                "VirtualService default/a spec.tls[0].match[0].sniHosts[1]: 'b.example.com' is not one of this"
                        + " VirtualService's hosts [a.example.com]");
    }

    @Test
    void anHttpsServerThatTerminatesDoesNotShareItsPortWithAPassthroughOne() throws Exception {
        MeshSnapshot live = accepted(seeded(), yaml(secret("default", "a-cert", PKI.issue("a.example.com"))));
        String gateway = """
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: gw}
                spec:
                  servers:
                  - port: {number: 443, name: a, protocol: HTTPS}
                    hosts: [a.example.com]
                    tls: {mode: SIMPLE, credentialName: a-cert}
                  - port: {number: PORT, name: legacy, protocol: HTTPS}
                    hosts: [legacy.example.com]
                    tls: {mode: PASSTHROUGH}
                """;
        assertThat(errors(apply(live, yaml(gateway.replace("PORT", "443"))))).singleElement().asString()
                .startsWith("Gateway default/gw spec.servers[1].tls: port 443 is served by Gateway default/gw"
                        + " spec.servers[0] as HTTPS (TLS terminated, then http routes); this server would be"
                        + " passthrough or TLS on it");
        assertThat(errors(apply(live, yaml(gateway.replace("PORT", "8443"))))).as("on ports of their own").isEmpty();

        // Gateways that no node serves together (their selectors differ) may each serve 443 their own way.
        String twoDeployments = """
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: web}
                spec:
                  selector: {istio: ingressgateway}
                  servers:
                  - port: {number: 443, name: a, protocol: HTTPS}
                    hosts: [a.example.com]
                    tls: {mode: SIMPLE, credentialName: a-cert}
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: passthrough}
                spec:
                  selector: {istio: passthrough}
                  servers:
                  - port: {number: 443, name: legacy, protocol: HTTPS}
                    hosts: [legacy.example.com]
                    tls: {mode: PASSTHROUGH}
                """;
        assertThat(errors(apply(live, yaml(twoDeployments)))).isEmpty();

        // A mix already live (accepted before this rule) is warned about; it does not refuse unrelated changes.
        MeshSnapshot mixedLive = new MeshSnapshot(null, live.generation() + 1, "before-the-rule", java.time.Instant.EPOCH,
                java.util.stream.Stream.concat(live.resources().stream(),
                        yaml(gateway.replace("PORT", "443")).stream()).toList());
        var unrelated = apply(mixedLive, yaml("""
                apiVersion: v1
                kind: Service
                metadata: {name: other}
                spec: {ports: [{name: http, port: 80}]}
                """));
        assertThat(errors(unrelated)).isEmpty();
        assertThat(unrelated.result().warnings()).anySatisfy(w -> assertThat(w.message()).contains("port 443 is served"));
    }

    private ChangeValidator.Decision apply(MeshSnapshot live, List<Resource> resources) {
        return base.apply(live, resources);
    }

    private MeshSnapshot accepted(MeshSnapshot live, List<Resource> resources) {
        return base.accepted(live, resources);
    }

    private MeshSnapshot seeded() throws Exception {
        return base.seeded();
    }

    private static List<Resource> yaml(String text) throws Exception {
        return ChangeValidatorTest.yaml(text);
    }
}
