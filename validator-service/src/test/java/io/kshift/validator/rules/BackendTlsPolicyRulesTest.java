package io.kshift.validator.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.event.ChangeRequested;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.Operation;
import io.kshift.samples.tls.DemoPki;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Gateway API BackendTLSPolicy: its CRD's rules, its targets and the CA bundles it names. */
class BackendTlsPolicyRulesTest {
    private final ChangeValidatorTest base = new ChangeValidatorTest();
    static final DemoPki BACKENDS = DemoPki.create("backend-tls-rules");
    static final String POLICY = "BackendTLSPolicy default/api-tls ";

    static final String SERVICE = """
            apiVersion: v1
            kind: Service
            metadata: {name: api}
            spec: {selector: {app: api}, ports: [{name: https, port: 443}, {name: plain, port: 80}]}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: api-1}
            spec: {address: 10.0.0.1, labels: {app: api}}
            """;

    static String policy(String spec) {
        return """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: BackendTLSPolicy
                metadata: {name: api-tls}
                spec:
                %s""".formatted(spec.indent(2));
    }

    MeshSnapshot live() throws Exception {
        return base.accepted(MeshSnapshot.empty(), ChangeValidatorTest.yaml(SERVICE + "---\n"
                + FrontendTlsRulesTest.configMap("default", "api-ca", BACKENDS.caPem())));
    }

    @Test
    void aServiceEntryDeclaringTheServicesHostIsSaidToBypassThePolicy() throws Exception {
        var d = base.apply(live(), ChangeValidatorTest.yaml(policy("""
                targetRefs: [{group: "", kind: Service, name: api}]
                validation: {caCertificateRefs: [{group: "", kind: ConfigMap, name: api-ca}], hostname: api.internal}
                """)));
        assertThat(d.result().warnings()).isEmpty();
        var entry = base.apply(d.next().orElseThrow(), ChangeValidatorTest.yaml("""
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: api-external}
                spec:
                  hosts: [api.default.svc.cluster.local]
                  ports: [{number: 443, name: https, protocol: TLS}]
                  resolution: STATIC
                  endpoints: [{address: 10.9.9.9}]
                """));
        assertThat(TlsRulesTest.errors(entry)).isEmpty();
        assertThat(TlsRulesTest.warnings(entry)).contains(POLICY + "spec.targetRefs[0].name: ServiceEntry"
                + " default/api-external declares api.default.svc.cluster.local, the host of Service default/api:"
                + " destinations naming that host in full reach the ServiceEntry's endpoints without this policy's"
                + " TLS (backendRefs and short names still reach the Service)");
    }

    @Test
    void aPolicyWithABundleItCanReadIsAcceptedAndItsBundleCannotBeDeleted() throws Exception {
        var d = base.apply(live(), ChangeValidatorTest.yaml(policy("""
                targetRefs: [{group: "", kind: Service, name: api, sectionName: https}]
                validation:
                  caCertificateRefs: [{group: "", kind: ConfigMap, name: api-ca}]
                  hostname: api.internal
                """)));
        assertThat(d.result().errors()).isEmpty();
        assertThat(d.result().warnings()).isEmpty();
        MeshSnapshot withPolicy = d.next().orElseThrow();

        var parsed = ResourceReader.readBody("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: api-ca}
                """.getBytes(StandardCharsets.UTF_8), BodyFormat.YAML, true);
        var delete = base.validator.decide(withPolicy, ChangeRequested.of("d", Instant.EPOCH, Operation.DELETE,
                parsed.resources(), false));
        assertThat(TlsRulesTest.errors(delete)).containsExactly(POLICY + "spec.validation.caCertificateRefs[0]:"
                + " ConfigMap default/api-ca does not exist; apply it first (a BackendTLSPolicy may not check"
                + " backends' certificates with a CA it cannot read)");
        assertThat(TlsRulesTest.errors(base.apply(withPolicy, ChangeValidatorTest.yaml(
                FrontendTlsRulesTest.configMap("default", "api-ca", "not a certificate\n"))))).singleElement()
                .asString().startsWith(POLICY + "spec.validation.caCertificateRefs[0]: ConfigMap default/api-ca ca.crt ");
    }

    @Test
    void aGatewaysClientCertificateForBackendsIsASecretItMayUse() throws Exception {
        String gateway = """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw}
                spec:
                  gatewayClassName: kshift
                  listeners: [{name: web, protocol: HTTP, port: 80}]
                  tls:
                    backend: {clientCertificateRef: %s}
                """;
        String field = "Gateway.gateway.networking.k8s.io default/gw spec.tls.backend.clientCertificateRef";
        assertThat(TlsRulesTest.errors(base.apply(live(), ChangeValidatorTest.yaml(gateway.formatted(
                "{name: client}"))))).containsExactly(field + ": Secret default/client does not exist; apply it"
                + " first (a Gateway may not name a certificate it cannot use)");
        assertThat(TlsRulesTest.errors(base.apply(live(), ChangeValidatorTest.yaml(gateway.formatted(
                "{kind: ConfigMap, name: api-ca}"))))).containsExactly(field + ".kind: a client certificate is read"
                + " from a Secret only, not ConfigMap");
        assertThat(TlsRulesTest.errors(base.apply(live(), ChangeValidatorTest.yaml(gateway.formatted(
                "{name: client, namespace: certs}"))))).containsExactly(field + ".namespace: Secret certs/client is"
                + " in another namespace: a ReferenceGrant in certs must allow Gateways from namespace default to"
                + " refer to it");
        var d = base.apply(live(), ChangeValidatorTest.yaml(TlsRulesTest.secret("default", "client",
                BACKENDS.issue("gateway.example.com")) + "---\n" + gateway.formatted("{name: client}")));
        assertThat(d.result().errors()).isEmpty();
    }

    @Test
    void whatTheCrdRefusesIsRefusedWithItsField() throws Exception {
        var d = base.apply(live(), ChangeValidatorTest.yaml(policy("""
                targetRefs:
                - {group: "", kind: Service, name: api, sectionName: https}
                - {group: "", kind: Service, name: api, sectionName: https}
                - {group: "", kind: Service, name: api}
                - {group: networking.istio.io, kind: ServiceEntry, name: ext}
                - {group: "", kind: Service, name: api, sectionName: grpc}
                validation:
                  caCertificateRefs: [{group: "", kind: ConfigMap, name: api-ca}, {group: x.io, kind: Bundle, name: b}]
                  wellKnownCACertificates: System
                  hostname: "*.internal"
                  subjectAltNames:
                  - {type: Hostname, uri: "spiffe://x/y"}
                  - {type: URI, uri: "not a uri"}
                  - {type: Email, hostname: a.b}
                options: {example.com/fips: "true"}
                """)));
        assertThat(TlsRulesTest.errors(d)).containsExactlyInAnyOrder(
                POLICY + "spec.targetRefs[1].sectionName: port 'https' of Service api is named by an earlier entry;"
                        + " each once",
                POLICY + "spec.targetRefs[2].sectionName: Service api is named by an earlier entry: several entries"
                        + " for one Service each name a different port by sectionName",
                POLICY + "spec.targetRefs[3].kind: only core Services are served as targets, not"
                        + " networking.istio.io/ServiceEntry",
                POLICY + "spec.targetRefs[4].sectionName: Service default/api has no port named 'grpc' (it has"
                        + " [https, plain]): the policy would originate TLS toward nothing; change the policy and the"
                        + " Service together",
                POLICY + "spec.validation.hostname: must be a lowercase DNS name without a wildcard (it is the SNI"
                        + " sent to the backend), not '*.internal'",
                POLICY + "spec.validation: exactly one of caCertificateRefs and wellKnownCACertificates is"
                        + " required: the CAs the backend's certificate must chain to",
                POLICY + "spec.validation.caCertificateRefs[1].kind: a CA bundle is read from a core ConfigMap or"
                        + " Secret (its ca.crt), not x.io/Bundle",
                POLICY + "spec.validation.subjectAltNames[0]: type Hostname takes a hostname and no uri",
                POLICY + "spec.validation.subjectAltNames[1].uri: must be an absolute URI (scheme://authority...),"
                        + " such as a SPIFFE ID, not 'not a uri'",
                POLICY + "spec.validation.subjectAltNames[2].type: must be Hostname or URI, not 'Email'",
                POLICY + "spec.options.example.com/fips: not supported: kshift defines no BackendTLSPolicy options,"
                        + " and an option it ignored could be one that tightens TLS");
    }

    /** A validator whose clock moves a second per reading, so each change is younger than the one before. */
    static ChangeValidator ticking() {
        java.util.concurrent.atomic.AtomicLong seconds = new java.util.concurrent.atomic.AtomicLong();
        java.time.Clock clock = new java.time.Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public java.time.Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.parse("2026-12-07T00:00:00Z").plusSeconds(seconds.incrementAndGet());
            }
        };
        return new ChangeValidator(jakarta.validation.Validation.byDefaultProvider().configure()
                .messageInterpolator(new org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator())
                .buildValidatorFactory().getValidator(), clock);
    }

    static ChangeValidator.Decision apply(ChangeValidator v, MeshSnapshot live, String yaml) throws Exception {
        return v.decide(live, ChangeRequested.of("c", Instant.EPOCH, Operation.APPLY, ChangeValidatorTest.yaml(yaml),
                false));
    }

    static java.util.List<String> warnings(ChangeValidator.Decision d) {
        return d.result().warnings().stream().map(w -> w.resource() + " " + w.field() + ": " + w.message()).toList();
    }

    @Test
    void theOldestPolicyHoldsATargetAndTheOthersSayTheyAreConflicted() throws Exception {
        ChangeValidator v = ticking();
        MeshSnapshot live = apply(v, MeshSnapshot.empty(), SERVICE).next().orElseThrow();
        live = apply(v, live, policy("""
                targetRefs: [{group: "", kind: Service, name: api}]
                validation: {wellKnownCACertificates: System, hostname: api.example.com}
                """)).next().orElseThrow();
        // Younger, though its name sorts first; and a target that does not exist yet.
        var d = apply(v, live, policy("""
                targetRefs: [{group: "", kind: Service, name: api}, {group: "", kind: Service, name: later}]
                validation: {wellKnownCACertificates: System, hostname: other.example.com}
                """).replace("name: api-tls", "name: a-younger"));
        assertThat(d.result().errors()).isEmpty();
        String younger = "BackendTLSPolicy default/a-younger ";
        assertThat(warnings(d)).containsExactlyInAnyOrder(
                younger + "spec.targetRefs[0]: conflicted: BackendTLSPolicy default/api-tls applies to Service"
                        + " default/api port 443 (the older policy, or one for that port by sectionName, takes a target)",
                younger + "spec.targetRefs[0]: conflicted: BackendTLSPolicy default/api-tls applies to Service"
                        + " default/api port 80 (the older policy, or one for that port by sectionName, takes a target)",
                younger + "spec.targetRefs[1].name: Service default/later does not exist; the policy applies to it"
                        + " when it is created");
        MeshSnapshot both = d.next().orElseThrow();
        assertThat(both.status().get("BackendTLSPolicy default/a-younger")).extracting(n -> n.type() + " "
                + n.reason()).contains("Accepted Conflicted", "Accepted TargetNotFound");

        // The older one goes: the younger is checked again and holds the Service now.
        var parsed = ResourceReader.readBody(policy("targetRefs: []\n").getBytes(StandardCharsets.UTF_8),
                BodyFormat.YAML, true);
        var gone = v.decide(both, ChangeRequested.of("d", Instant.EPOCH, Operation.DELETE, parsed.resources(),
                false));
        assertThat(gone.result().errors()).isEmpty();
        assertThat(gone.next().orElseThrow().status().get("BackendTLSPolicy default/a-younger"))
                .extracting(n -> n.reason()).containsExactly("TargetNotFound");
    }

    @Test
    void aServiceMayNotLoseThePortAPolicyNames() throws Exception {
        MeshSnapshot live = base.accepted(live(), ChangeValidatorTest.yaml(policy("""
                targetRefs: [{group: "", kind: Service, name: api, sectionName: https}]
                validation: {wellKnownCACertificates: System, hostname: api.example.com}
                """)));
        var d = base.apply(live, ChangeValidatorTest.yaml(SERVICE.replace("{name: https, port: 443}, ", "")));
        assertThat(TlsRulesTest.errors(d)).containsExactly(POLICY + "spec.targetRefs[0].sectionName: Service"
                + " default/api has no port named 'https' (it has [plain]): the policy would originate TLS toward"
                + " nothing; change the policy and the Service together");
    }

    @Test
    void aDestinationRulesTlsOnATargetedPortIsWarnedAbout() throws Exception {
        MeshSnapshot live = base.accepted(live(), ChangeValidatorTest.yaml(policy("""
                targetRefs: [{group: "", kind: Service, name: api}]
                validation: {wellKnownCACertificates: System, hostname: api.example.com}
                """)));
        var d = base.apply(live, ChangeValidatorTest.yaml("""
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: api}
                spec:
                  host: api
                  trafficPolicy:
                    portLevelSettings:
                    - {port: {number: 80}, tls: {mode: DISABLE}}
                    - {port: {number: 443}, tls: {mode: SIMPLE, sni: api.internal}}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: api-from-shop, namespace: shop}
                spec:
                  host: api.default.svc.cluster.local
                  subsets:
                  - name: lax
                    labels: {app: api}
                    trafficPolicy: {tls: {mode: SIMPLE, insecureSkipVerify: true}}
                """));
        assertThat(d.result().errors()).isEmpty();
        assertThat(warnings(d)).contains(
                POLICY + "spec.targetRefs[0]: DestinationRule default/api originates TLS to Service default/api port"
                        + " 443 itself (its tls), and takes precedence over this policy where it applies",
                POLICY + "spec.targetRefs[0]: DestinationRule default/api sets a tls for Service default/api port 80"
                        + " that originates none (its tls); this policy's TLS applies there",
                POLICY + "spec.targetRefs[0]: DestinationRule shop/api-from-shop originates TLS to Service"
                        + " default/api port 80 itself (subset lax's tls), and takes precedence over this policy where"
                        + " it applies, without checking the backend's certificate (insecureSkipVerify)");
    }
}
