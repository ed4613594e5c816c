package io.kshift.config.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.event.Operation;
import io.kshift.model.resource.Resource;
import io.kshift.model.secret.FleetKeys;
import io.kshift.model.secret.SecretSpec;
import io.kshift.samples.tls.DemoPki;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecretIntakeTest {
    static final DemoPki PKI = DemoPki.create("intake");
    static final String K1 = FleetKeys.newKeyLine("k1");
    static final FleetKeys KEYS = FleetKeys.parse(K1);
    final SecretIntake intake = new SecretIntake(KEYS);

    static List<Resource> yaml(String text) throws Exception {
        var parsed = ResourceReader.readBody(text.getBytes(StandardCharsets.UTF_8), BodyFormat.YAML);
        assertThat(parsed.errors()).isEmpty();
        return parsed.resources();
    }

    static String tls(String name, String cert, String key) {
        Base64.Encoder b = Base64.getEncoder();
        return """
                apiVersion: v1
                kind: Secret
                metadata: {name: %s}
                type: kubernetes.io/tls
                data: {tls.crt: %s, tls.key: %s}
                """.formatted(name, b.encodeToString(cert.getBytes(StandardCharsets.US_ASCII)),
                b.encodeToString(key.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void privateEntriesAreSealedPublicOnesKeptAndOtherKindsUntouched() throws Exception {
        DemoPki.Issued issued = PKI.issue("a.example.com");
        var in = yaml(tls("a", issued.certPem(), issued.keyPem()) + """
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: basic}
                stringData: {password: hunter2, ca.crt: "%s"}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: s}
                spec: {ports: [{name: tcp, port: 9000}]}
                """.formatted(PKI.caPem().replace("\n", "\\n")));
        var out = intake.admit(Operation.APPLY, in);
        assertThat(out.errors()).isEmpty();
        SecretSpec a = out.resources().get(0).specAs(SecretSpec.class);
        assertThat(a.data().get("tls.crt")).isEqualTo(in.get(0).specAs(SecretSpec.class).data().get("tls.crt"));
        assertThat(a.data().get("tls.key")).startsWith("sealed:v1:k1:");
        assertThat(KEYS.open("default/a/tls.key", a.data().get("tls.key")))
                .isEqualTo(issued.keyBytes());
        SecretSpec basic = out.resources().get(1).specAs(SecretSpec.class);
        assertThat(basic.data().get("password")).startsWith("sealed:v1:");
        assertThat(basic.data().get("ca.crt")).doesNotStartWith("sealed:");
        assertThat(out.resources().get(2)).isSameAs(in.get(2));
        // Applying what a snapshot holds (already sealed) is the same change: sealing is deterministic.
        assertThat(intake.admit(Operation.APPLY, out.resources()).resources()).isEqualTo(out.resources());
        // A delete carries no private entry at all.
        assertThat(intake.admit(Operation.DELETE, in).resources().get(0).specAs(SecretSpec.class).data())
                .containsOnlyKeys("tls.crt");
    }

    @Test
    void everyProblemIsNamedAndNothingIsAdmitted() throws Exception {
        DemoPki.Issued a = PKI.issue("a.example.com");
        DemoPki.Issued b = PKI.issue("b.example.com");
        String sealedElsewhere = FleetKeys.parse(FleetKeys.newKeyLine("k9")).seal("default/c/tls.key", a.keyBytes());
        var out = intake.admit(Operation.APPLY, yaml(tls("a", a.certPem(), b.keyPem()) + "---\n"
                + tls("b", "not a certificate", b.keyPem()) + """
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: c}
                type: kubernetes.io/tls
                data: {tls.crt: %s, tls.key: "%s"}
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: d}
                type: kubernetes.io/tls
                data: {tls.crt: %s}
                """.formatted(Base64.getEncoder().encodeToString(a.certBytes()), sealedElsewhere,
                Base64.getEncoder().encodeToString(a.certBytes()))));
        assertThat(out.resources()).isEmpty();
        assertThat(out.errors()).extracting(m -> m.resource() + " " + m.field() + ": " + m.message())
                .containsExactly(
                        "Secret default/a data.tls.key: is not the private key of the certificate (CN=a.example.com)",
                        "Secret default/b data.tls.crt: holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
                        "Secret default/c data.tls.key: was sealed with fleet key 'k9', which this service does not"
                                + " hold",
                        "Secret default/d data.tls.key: is required in a Secret of type kubernetes.io/tls");
        // A key bundled into a public entry would be stored in the clear.
        assertThat(intake.admit(Operation.APPLY, yaml(tls("e", a.certPem() + a.keyPem(), a.keyPem()))).errors())
                .extracting(m -> m.field() + ": " + m.message()).containsExactly("data.tls.crt: holds a private key,"
                        + " and this entry is stored in the clear; put the key in tls.key (or key), where it is sealed");
        assertThat(new SecretIntake(FleetKeys.none()).admit(Operation.APPLY, yaml(tls("a", a.certPem(),
                a.keyPem()))).errors()).extracting(m -> m.message()).containsExactly("this config-service holds no"
                + " fleet key (kshift.secrets.key-file), so a Secret's private entries cannot be stored");
    }

    static String token(String value, boolean immutable) {
        return """
                apiVersion: v1
                kind: Secret
                metadata: {name: token}
                stringData: {password: %s}
                immutable: %s
                """.formatted(value, immutable);
    }

    @Test
    void anImmutableSecretsPrivateEntriesAreComparedOpenedAcrossAKeyRotation() throws Exception {
        Resource live = intake.admit(Operation.APPLY, yaml(token("hunter2", true))).resources().get(0);
        java.util.function.Function<io.kshift.model.resource.ResourceKey, java.util.Optional<Resource>> lookup =
                key -> key.equals(live.key()) ? java.util.Optional.of(live) : java.util.Optional.empty();

        var changed = intake.admit(Operation.APPLY, yaml(token("hunter3", true)), lookup);
        assertThat(changed.errors()).extracting(m -> m.field() + ": " + m.message()).containsExactly(
                "data.password: Secret default/token is immutable: its data cannot change; delete it and create it"
                        + " again");
        assertThat(changed.resources()).isEmpty();

        // The ring rotated (k2 seals now, k1 still opens): the same value sealed anew is no change.
        FleetKeys rotated = FleetKeys.parse(FleetKeys.newKeyLine("k2") + "\n" + K1);
        SecretIntake after = new SecretIntake(rotated);
        var resealed = after.admit(Operation.APPLY, yaml(token("hunter2", true)), lookup);
        assertThat(resealed.errors()).isEmpty();
        assertThat(resealed.resources().get(0).specAs(SecretSpec.class).data().get("password"))
                .startsWith("sealed:v1:k2:");
        assertThat(after.admit(Operation.APPLY, yaml(token("hunter3", true)), lookup).errors()).hasSize(1);

        // A mutable one changes freely.
        Resource mutable = intake.admit(Operation.APPLY, yaml(token("hunter2", false))).resources().get(0);
        assertThat(intake.admit(Operation.APPLY, yaml(token("hunter3", false)), key -> java.util.Optional.of(mutable))
                .errors()).isEmpty();
    }

    @Test
    void aConfigMapHoldingAPrivateKeyIsRefused() throws Exception {
        DemoPki.Issued issued = PKI.issue("a.example.com");
        var out = intake.admit(Operation.APPLY, yaml("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: oops}
                data:
                  ca.crt: |
                %s  key.pem: |
                %s""".formatted(PKI.caPem().indent(4), issued.keyPem().indent(4))));
        assertThat(out.errors()).extracting(m -> m.field() + ": " + m.message()).containsExactly(
                "data.key.pem: holds a private key, and a ConfigMap is stored and shown in the clear; put the key in a"
                        + " Secret, where it is sealed");
    }
}
