package io.kshift.validator.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.event.ChangeRequested;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.Operation;
import io.kshift.model.resource.Resource;
import io.kshift.samples.tls.DemoPki;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A Gateway API Gateway's client certificate validation ({@code spec.tls.frontend}) and the CA bundles it names. */
class FrontendTlsRulesTest {
    private final ChangeValidatorTest base = new ChangeValidatorTest();
    static final DemoPki CLIENTS = DemoPki.create("frontend-rules-clients");
    static final String GATEWAY = "Gateway.gateway.networking.k8s.io default/gw ";

    static String gateway(String frontend) {
        return """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: gw}
                spec:
                  gatewayClassName: kshift
                  listeners:
                  - name: https
                    protocol: HTTPS
                    port: 443
                    tls: {certificateRefs: [{name: edge}]}
                  - name: web
                    protocol: HTTP
                    port: 80
                  tls:
                    frontend:
                %s""".formatted(frontend.indent(6));
    }

    static String configMap(String ns, String name, String caCrt) {
        return """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: %s, namespace: %s}
                data:
                  ca.crt: |
                %s""".formatted(name, ns, caCrt.indent(4));
    }

    MeshSnapshot withCertificate() throws Exception {
        return base.accepted(MeshSnapshot.empty(), yaml(TlsRulesTest.secret("default", "edge",
                TlsRulesTest.PKI.issue("web.example.com"))));
    }

    @Test
    void aGatewayValidatesClientsWithACaBundleItCanRead() throws Exception {
        MeshSnapshot live = withCertificate();
        String gw = gateway("""
                default:
                  validation:
                    caCertificateRefs: [{group: "", kind: ConfigMap, name: client-ca}]
                """);
        String field = GATEWAY + "spec.tls.frontend.default.validation.caCertificateRefs[0]: ";
        assertThat(TlsRulesTest.errors(base.apply(live, yaml(gw)))).containsExactly(field + "ConfigMap"
                + " default/client-ca does not exist; apply it first (a Gateway may not check client certificates with"
                + " a CA it cannot read)");
        assertThat(TlsRulesTest.errors(base.apply(live, yaml(gw + "---\n" + """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: client-ca}
                data: {other: x}
                """)))).containsExactly(field + "ConfigMap default/client-ca holds no ca.crt to check client"
                + " certificates with");
        assertThat(TlsRulesTest.errors(base.apply(live, yaml(gw + "---\n" + configMap("default", "client-ca",
                "not a certificate\n"))))).singleElement().asString().startsWith(field + "ConfigMap"
                + " default/client-ca ca.crt ");

        live = base.accepted(live, yaml(gw + "---\n" + configMap("default", "client-ca", CLIENTS.caPem())));
        // A bundle a Gateway uses cannot be deleted from under it.
        var parsed = ResourceReader.readBody("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: client-ca}
                """.getBytes(StandardCharsets.UTF_8), BodyFormat.YAML, true);
        var delete = base.validator.decide(live, ChangeRequested.of("d", Instant.EPOCH, Operation.DELETE,
                parsed.resources(), false));
        assertThat(TlsRulesTest.errors(delete)).containsExactly(field + "ConfigMap default/client-ca does not"
                + " exist; apply it first (a Gateway may not check client certificates with a CA it cannot read)");
    }

    @Test
    void bundlesAreCoreConfigMapsOrSecretsGrantedAcrossNamespacesWithOneEntryPerPort() throws Exception {
        MeshSnapshot live = base.accepted(withCertificate(), yaml(configMap("default", "client-ca", CLIENTS.caPem())
                + "---\n" + configMap("pki", "shared-ca", CLIENTS.caPem())));
        var refused = base.apply(live, yaml(gateway("""
                default:
                  validation:
                    caCertificateRefs:
                    - {group: "", kind: Service, name: client-ca}
                    - {group: "", kind: ConfigMap, name: shared-ca, namespace: pki}
                perPort:
                - port: 443
                  tls: {validation: {caCertificateRefs: []}}
                - port: 443
                  tls: {validation: {caCertificateRefs: [{group: "", kind: ConfigMap, name: client-ca}]}}
                """)));
        assertThat(TlsRulesTest.errors(refused)).containsExactlyInAnyOrder(
                GATEWAY + "spec.tls.frontend.default.validation.caCertificateRefs[0].kind: a CA bundle is read from a"
                        + " core ConfigMap or Secret (its ca.crt), not Service",
                GATEWAY + "spec.tls.frontend.default.validation.caCertificateRefs[1].namespace: ConfigMap"
                        + " pki/shared-ca is in another namespace: a ReferenceGrant in pki must allow Gateways from"
                        + " namespace default to refer to it",
                GATEWAY + "spec.tls.frontend.perPort[0].tls.validation.caCertificateRefs: at least one CA bundle is"
                        + " required",
                GATEWAY + "spec.tls.frontend.perPort[1].port: port 443 has an entry already; one per port");

        live = base.accepted(live, yaml("""
                apiVersion: gateway.networking.k8s.io/v1beta1
                kind: ReferenceGrant
                metadata: {name: ca-for-default, namespace: pki}
                spec:
                  from: [{group: gateway.networking.k8s.io, kind: Gateway, namespace: default}]
                  to: [{group: "", kind: ConfigMap, name: shared-ca}]
                """));
        var accepted = base.apply(live, yaml(gateway("""
                default:
                  validation:
                    caCertificateRefs: [{group: "", kind: ConfigMap, name: shared-ca, namespace: pki}]
                perPort:
                - port: 80
                  tls:
                    validation:
                      caCertificateRefs: [{group: "", kind: ConfigMap, name: client-ca}]
                      mode: AllowInsecureFallback
                """)));
        assertThat(accepted.result().errors()).isEmpty();
        assertThat(accepted.result().warnings()).extracting(w -> w.field() + ": " + w.message()).contains(
                "spec.tls.frontend.perPort[0].port: no HTTPS listener of this Gateway is on port 80: nothing is"
                        + " validated there",
                "spec.tls.frontend.perPort[0].tls.validation.mode: AllowInsecureFallback lets clients through"
                        + " without a valid certificate (none, or one that does not chain to these CAs): the backend"
                        + " must decide whom to serve, checking the certificate in the x-forwarded-client-cert header"
                        + " the proxies set (its Cert; no names are sent for certificates the proxy did not verify;"
                        + " absent: none presented; as the proxies' default SANITIZE_SET and APPEND_FORWARD modes send"
                        + " it)");
    }

    @Test
    void gatewaysSharingAnHttpsPortAgreeOnHowClientsAreValidated() throws Exception {
        MeshSnapshot live = base.accepted(withCertificate(), yaml(configMap("default", "client-ca", CLIENTS.caPem())
                + "---\n" + gateway("""
                default:
                  validation:
                    caCertificateRefs: [{group: "", kind: ConfigMap, name: client-ca}]
                """)));
        String other = """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: other}
                spec:
                  gatewayClassName: kshift
                  listeners:
                  - name: https
                    protocol: HTTPS
                    port: 443
                    hostname: other.example.com
                    tls: {certificateRefs: [{name: edge}]}
                """;
        assertThat(TlsRulesTest.errors(base.apply(live, yaml(other)))).singleElement().asString().contains(
                "HTTPS port 443 is already served by " + GATEWAY.trim() + " spec.listeners[0] with other TLS"
                        + " settings");
        assertThat(base.apply(live, yaml(other + """
                  tls:
                    frontend:
                      default:
                        validation:
                          caCertificateRefs: [{group: "", kind: ConfigMap, name: client-ca}]
                """)).result().errors()).isEmpty();
    }

    @Test
    void aPortsOwnEntryIsNamedInItsErrorsAndMayTurnValidationOff() throws Exception {
        MeshSnapshot live = withCertificate();
        assertThat(TlsRulesTest.errors(base.apply(live, yaml(gateway("""
                default:
                  validation:
                    caCertificateRefs: [{group: "", name: no-kind}]
                """))))).as("a constraint's path says default, as written").containsExactly(
                GATEWAY + "spec.tls.frontend.default.validation.caCertificateRefs[0].kind: is required");
        assertThat(TlsRulesTest.errors(base.apply(live, yaml(configMap("default", "client-ca", CLIENTS.caPem())
                + "---\n" + gateway("""
                default:
                  validation:
                    caCertificateRefs: [{group: "", kind: ConfigMap, name: client-ca}]
                perPort:
                - port: 443
                  tls:
                    validation:
                      caCertificateRefs: [{group: "", kind: ConfigMap, name: port-ca}]
                """))))).containsExactly(GATEWAY + "spec.tls.frontend.perPort[0].tls.validation"
                + ".caCertificateRefs[0]: ConfigMap default/port-ca does not exist; apply it first (a Gateway may not"
                + " check client certificates with a CA it cannot read)");

        var off = base.apply(live, yaml(configMap("default", "client-ca", CLIENTS.caPem()) + "---\n" + gateway("""
                default:
                  validation:
                    caCertificateRefs: [{group: "", kind: ConfigMap, name: client-ca}]
                perPort:
                - port: 443
                  tls: {}
                """)));
        assertThat(off.result().errors()).isEmpty();
        assertThat(off.result().warnings()).extracting(w -> w.field() + ": " + w.message()).contains(
                "spec.tls.frontend.perPort[0].tls: has no validation: clients are not asked for certificates on this"
                        + " port (the default does not apply here)");
    }

    private static List<Resource> yaml(String text) throws Exception {
        return ChangeValidatorTest.yaml(text);
    }
}
