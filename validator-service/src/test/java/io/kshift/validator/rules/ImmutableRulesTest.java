package io.kshift.validator.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.event.ChangeRequested;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.Operation;
import io.kshift.model.resource.Resource;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code immutable: true} Secrets and ConfigMaps, and a Secret's type, stay as they were, as in Kubernetes. */
class ImmutableRulesTest {
    private final ChangeValidatorTest base = new ChangeValidatorTest();

    static String configMap(String value, String immutable) {
        return """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: settings}
                data: {mode: %s}
                %s""".formatted(value, immutable == null ? "" : "immutable: " + immutable + "\n");
    }

    static String secret(String type, String value, boolean immutable) {
        return """
                apiVersion: v1
                kind: Secret
                metadata: {name: token}
                type: %s
                data: {ca.crt: %s}
                immutable: %s
                """.formatted(type, value, immutable);
    }

    @Test
    void anImmutableConfigMapKeepsItsDataAndItsFlagUntilDeleted() throws Exception {
        MeshSnapshot live = base.accepted(MeshSnapshot.empty(), yaml(configMap("a", "true")));
        assertThat(base.apply(live, yaml(configMap("a", "true"))).result().errors()).isEmpty();
        assertThat(TlsRulesTest.errors(base.apply(live, yaml(configMap("b", "true"))))).containsExactly(
                "ConfigMap default/settings data: ConfigMap default/settings is immutable: its data cannot change;"
                        + " delete it and create it again");
        assertThat(TlsRulesTest.errors(base.apply(live, yaml(configMap("a", null))))).containsExactly(
                "ConfigMap default/settings immutable: ConfigMap default/settings is immutable: the flag cannot be"
                        + " unset; delete it and create it again");

        var parsed = ResourceReader.readBody("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: settings}
                """.getBytes(StandardCharsets.UTF_8), BodyFormat.YAML, true);
        MeshSnapshot gone = base.validator.decide(live, ChangeRequested.of("d", Instant.EPOCH, Operation.DELETE,
                parsed.resources(), false)).next().orElseThrow();
        assertThat(base.apply(gone, yaml(configMap("b", "false"))).result().errors()).isEmpty();

        // A mutable one changes freely, and may be made immutable.
        MeshSnapshot mutable = base.accepted(MeshSnapshot.empty(), yaml(configMap("a", null)));
        assertThat(base.apply(mutable, yaml(configMap("b", "true"))).result().errors()).isEmpty();
    }

    @Test
    void aSecretsTypeNeverChangesAndAnImmutableOnesDataStays() throws Exception {
        MeshSnapshot live = base.accepted(MeshSnapshot.empty(), yaml(secret("Opaque", "eA==", false)));
        assertThat(TlsRulesTest.errors(base.apply(live, yaml(secret("example.com/other", "eA==", false)))))
                .containsExactly("Secret default/token type: Secret default/token is of type Opaque, which cannot"
                        + " change; delete it and create it again");
        assertThat(base.apply(live, yaml(secret("Opaque", "eQ==", true))).result().errors()).isEmpty();

        live = base.accepted(live, yaml(secret("Opaque", "eQ==", true)));
        assertThat(TlsRulesTest.errors(base.apply(live, yaml(secret("Opaque", "eA==", true))))).containsExactly(
                "Secret default/token data: Secret default/token is immutable: its data cannot change; delete it"
                        + " and create it again");
    }

    static String sealedSecret(String sealed, String caB64) {
        return """
                apiVersion: v1
                kind: Secret
                metadata: {name: token, labels: {changed: "%s"}}
                type: Opaque
                data: {password: "%s", ca.crt: "%s"}
                immutable: true
                """.formatted(Math.abs(sealed.hashCode() + caB64.hashCode()), sealed, caB64);
    }

    @Test
    void dataIsComparedAsBytesAndSealsOnlyUnderOneKey() throws Exception {
        String ca = java.util.Base64.getEncoder().encodeToString("ca bundle bytes".getBytes(StandardCharsets.UTF_8));
        String wrapped = ca.substring(0, 8) + "\n" + ca.substring(8);
        MeshSnapshot live = base.accepted(MeshSnapshot.empty(), yaml(sealedSecret("sealed:v1:k1:AAAA", ca)));
        assertThat(base.apply(live, yaml(sealedSecret("sealed:v1:k1:AAAA", wrapped))).result().errors())
                .as("the same bytes in base64 wrapped otherwise, the labels changed").isEmpty();
        assertThat(TlsRulesTest.errors(base.apply(live, yaml(sealedSecret("sealed:v1:k1:BBBB", ca)))))
                .as("sealed with one key: another seal is another value").containsExactly("Secret default/token data:"
                        + " Secret default/token is immutable: its data cannot change; delete it and create it again");
        assertThat(base.apply(live, yaml(sealedSecret("sealed:v1:k2:BBBB", ca))).result().errors())
                .as("sealed anew after a rotation: config-service, which opens both, judges it").isEmpty();
    }

    @Test
    void aRollbackIsDeletesAndCreatesAndIsNotHeldBack() throws Exception {
        MeshSnapshot first = base.accepted(MeshSnapshot.empty(), yaml(configMap("a", "true")));
        var parsed = ResourceReader.readBody("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: settings}
                """.getBytes(StandardCharsets.UTF_8), BodyFormat.YAML, true);
        MeshSnapshot gone = base.validator.decide(first, ChangeRequested.of("d", Instant.EPOCH, Operation.DELETE,
                parsed.resources(), false)).next().orElseThrow();
        MeshSnapshot recreated = base.accepted(gone, yaml(configMap("b", "true")));
        var rollback = base.validator.decide(recreated, ChangeRequested.of("r", Instant.EPOCH, Operation.REPLACE,
                yaml(configMap("a", "true")), false));
        assertThat(rollback.result().errors()).isEmpty();
        assertThat(rollback.next()).isPresent();
    }

    private static List<Resource> yaml(String text) throws Exception {
        return ChangeValidatorTest.yaml(text);
    }
}
