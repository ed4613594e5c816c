package io.kshift.model.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.codec.ResourceWriter;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import io.kshift.samples.tls.DemoPki;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SecretTest {
    private static final DemoPki PKI = DemoPki.create("test-ca");

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static String tlsSecret(String name, DemoPki.Issued issued) {
        return """
                apiVersion: v1
                kind: Secret
                metadata: {name: %s, namespace: istio-system}
                type: kubernetes.io/tls
                data:
                  tls.crt: %s
                  tls.key: %s
                """.formatted(name, b64(issued.certPem()), b64(issued.keyPem()));
    }

    @Test
    void aSecretIsReadAtTheTopLevelAndWrittenBackTheSameWay() throws Exception {
        DemoPki.Issued issued = PKI.issue("bookinfo.example.com");
        var parsed = ResourceReader.readBody(tlsSecret("bookinfo", issued).getBytes(StandardCharsets.UTF_8),
                BodyFormat.YAML);
        assertThat(parsed.errors()).isEmpty();
        Resource r = parsed.resources().get(0);
        assertThat(r.type()).isEqualTo(Kind.SECRET);
        SecretSpec spec = r.specAs(SecretSpec.class);
        assertThat(spec.type()).isEqualTo(SecretSpec.TLS);
        assertThat(spec.publicBytes(SecretSpec.TLS_CERT)).hasValueSatisfying(b ->
                assertThat(new String(b, StandardCharsets.US_ASCII)).isEqualTo(issued.certPem()));
        assertThat(spec.publicBytes(SecretSpec.TLS_KEY)).isEmpty();

        String yaml = ResourceWriter.write(r, BodyFormat.YAML);
        assertThat(yaml).contains("type: kubernetes.io/tls").contains("data:").doesNotContain("spec:");
        Resource back = ResourceReader.readBody(yaml.getBytes(StandardCharsets.UTF_8), BodyFormat.YAML)
                .resources().get(0);
        assertThat(back).isEqualTo(r);
    }

    @Test
    void stringDataIsFoldedIntoDataAndBadEntriesAreNamed() throws Exception {
        var parsed = ResourceReader.readBody("""
                apiVersion: v1
                kind: Secret
                metadata: {name: s}
                stringData: {password: hunter2}
                data: {"bad key": eA==, token: "not base64!", tls.key: "<redacted> sha256:0011"}
                spec: {}
                """.getBytes(StandardCharsets.UTF_8), BodyFormat.YAML);
        assertThat(parsed.errors()).extracting(m -> m.field() + ": " + m.message()).containsExactlyInAnyOrder(
                "spec: unknown field",
                "data.bad key: a Secret key is made of letters, digits, '-', '_' and '.'",
                "data.token: is not valid base64",
                "data.tls.key: is redacted (as GET shows it); apply the Secret with the value itself");

        Resource ok = ResourceReader.readBody("""
                apiVersion: v1
                kind: Secret
                metadata: {name: s}
                stringData: {password: hunter2}
                """.getBytes(StandardCharsets.UTF_8), BodyFormat.YAML).resources().get(0);
        assertThat(ok.specAs(SecretSpec.class).data()).containsEntry("password", b64("hunter2"));
        assertThat(ok.specAs(SecretSpec.class).type()).isEqualTo(SecretSpec.OPAQUE);
    }

    @Test
    void redactionHidesPrivateEntriesButShowsThatTheyChanged() {
        SecretSpec a = new SecretSpec(SecretSpec.TLS, java.util.Map.of("tls.crt", "Y2VydA==",
                "tls.key", "sealed:v1:k1:AAAA"), null);
        SecretSpec b = new SecretSpec(SecretSpec.TLS, java.util.Map.of("tls.crt", "Y2VydA==",
                "tls.key", "sealed:v1:k1:BBBB"), null);
        assertThat(a.redacted().data().get("tls.crt")).isEqualTo("Y2VydA==");
        assertThat(a.redacted().data().get("tls.key")).startsWith(SecretSpec.REDACTED).doesNotContain("AAAA");
        assertThat(a.redacted().data().get("tls.key")).isNotEqualTo(b.redacted().data().get("tls.key"));
    }

    @Test
    void sealingIsDeterministicBoundToItsPlaceAndOpensOnlyWithTheKey() {
        FleetKeys keys = FleetKeys.parse(FleetKeys.newKeyLine("k2") + "\n" + FleetKeys.newKeyLine("k1"));
        byte[] plain = "-----BEGIN PRIVATE KEY-----".getBytes(StandardCharsets.US_ASCII);
        String sealed = keys.seal("ns/a/tls.key", plain);
        assertThat(sealed).startsWith("sealed:v1:k2:").doesNotContain("PRIVATE");
        assertThat(keys.seal("ns/a/tls.key", plain)).isEqualTo(sealed);
        assertThat(keys.seal("ns/b/tls.key", plain)).isNotEqualTo(sealed);
        assertThat(keys.open("ns/a/tls.key", sealed)).isEqualTo(plain);
        assertThatThrownBy(() -> keys.open("ns/b/tls.key", sealed)).hasMessageContaining("sealed for another");
        assertThatThrownBy(() -> FleetKeys.parse(FleetKeys.newKeyLine("k3")).open("ns/a/tls.key", sealed))
                .hasMessageContaining("fleet key 'k2', which this service does not hold");
        assertThatThrownBy(() -> FleetKeys.none().seal("p", plain)).hasMessageContaining("no fleet key");
        // Rotation: a ring whose first key is new still opens what the old one sealed.
        String old = FleetKeys.parse(FleetKeys.newKeyLine("k0")).seal("p", plain);
        assertThatThrownBy(() -> keys.open("p", old)).hasMessageContaining("'k0'");
        assertThat(keys.ids()).containsExactly("k2", "k1");
    }

    @Test
    void pemKeysAreReadAndProvedToBelongToTheirCertificate() {
        for (String algorithm : java.util.List.of("EC", "RSA")) {
            DemoPki.Issued a = PKI.issueWith(algorithm, java.time.Duration.ofDays(1), "a.example.com");
            DemoPki.Issued b = PKI.issueWith(algorithm, java.time.Duration.ofDays(1), "b.example.com");
            var cert = Pem.certificates(a.certBytes()).get(0);
            Pem.checkPair(cert, Pem.privateKey(a.keyBytes()));
            assertThatThrownBy(() -> Pem.checkPair(cert, Pem.privateKey(b.keyBytes())))
                    .hasMessageContaining("is not the private key of the certificate (CN=a.example.com)");
        }
        assertThatThrownBy(() -> Pem.certificates("hello".getBytes(StandardCharsets.US_ASCII)))
                .hasMessageContaining("holds no PEM certificate");
        assertThatThrownBy(() -> Pem.privateKey("-----BEGIN EC PRIVATE KEY-----\nAA==\n-----END EC PRIVATE KEY-----"
                .getBytes(StandardCharsets.US_ASCII))).hasMessageContaining("PKCS#8");
        assertThatThrownBy(() -> Pem.privateKey(PKI.issue("c.example.com").certBytes()))
                .hasMessageContaining("holds no PEM private key");
    }

    /** Everything TLS writes comes back the same through the bus's codec (no derived property leaks out). */
    @Test
    void tlsResourcesSurviveTheSnapshotCodec() throws Exception {
        DemoPki.Issued issued = PKI.issue("a.example.com");
        String yaml = tlsSecret("a", issued) + """
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: gw}
                spec:
                  servers:
                  - port: {number: 443, name: https, protocol: HTTPS}
                    hosts: ['*']
                    tls: {mode: MUTUAL, credentialNames: [a], caCertCredentialName: ca, minProtocolVersion: TLSV1_2}
                  - port: {number: 80, name: http, protocol: HTTP}
                    hosts: ['*']
                    tls: {httpsRedirect: true}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: vs}
                spec:
                  hosts: ['*']
                  gateways: [gw]
                  tls: [{match: [{sniHosts: [a.example.com], port: 443}], route: [{destination: {host: a}}]}]
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: kgw}
                spec:
                  gatewayClassName: kshift
                  listeners:
                  - name: tls
                    protocol: TLS
                    port: 8443
                    tls: {mode: Terminate, certificateRefs: [{kind: Secret, group: "", name: a, namespace: n}],
                          options: {x: y}}
                ---
                apiVersion: gateway.networking.k8s.io/v1alpha3
                kind: TLSRoute
                metadata: {name: r}
                spec:
                  parentRefs: [{name: kgw}]
                  hostnames: [a.example.com]
                  rules: [{backendRefs: [{name: a, port: 443}]}]
                """;
        var parsed = ResourceReader.readBody(yaml.getBytes(StandardCharsets.UTF_8), BodyFormat.YAML);
        assertThat(parsed.errors()).isEmpty();
        var snapshot = new io.kshift.model.event.MeshSnapshot(io.kshift.model.event.Schemas.MESH_SNAPSHOT, 1, "c",
                java.time.Instant.EPOCH, parsed.resources());
        String json = io.kshift.model.event.EventCodec.encode(snapshot);
        assertThat(new io.kshift.model.event.SnapshotDecoder().decode(json)).isEqualTo(snapshot);
        assertThat(io.kshift.model.event.EventCodec.decode(json, io.kshift.model.event.MeshSnapshot.class))
                .isEqualTo(snapshot);
    }
}
