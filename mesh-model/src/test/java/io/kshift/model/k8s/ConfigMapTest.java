package io.kshift.model.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.codec.ResourceWriter;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import io.kshift.model.routing.TlsBindings;
import io.kshift.samples.tls.DemoPki;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** A ConfigMap as Kubernetes writes it: {@code data} and {@code binaryData} at the top level. */
class ConfigMapTest {
    private static final DemoPki PKI = DemoPki.create("config-map-test-ca");

    @Test
    void aConfigMapIsReadAtTheTopLevelAndWrittenBackTheSameWay() throws Exception {
        var parsed = ResourceReader.readBody(("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: client-ca, namespace: edge}
                data:
                  ca.crt: |
                %s""".formatted(PKI.caPem().indent(4))).getBytes(StandardCharsets.UTF_8), BodyFormat.YAML);
        assertThat(parsed.errors()).isEmpty();
        Resource r = parsed.resources().get(0);
        assertThat(r.type()).isEqualTo(Kind.CONFIG_MAP);
        assertThat(TlsBindings.caBundle(r)).hasValue(PKI.caPem());

        String yaml = ResourceWriter.write(r, BodyFormat.YAML);
        assertThat(yaml).contains("data:").doesNotContain("spec:");
        Resource back = ResourceReader.readBody(yaml.getBytes(StandardCharsets.UTF_8), BodyFormat.YAML)
                .resources().get(0);
        assertThat(back).isEqualTo(r);
        assertThat(Kind.lookup("v1", "ConfigMap")).hasValue(Kind.CONFIG_MAP);
    }

    @Test
    void binaryDataIsBase64AndAKeyIsInOneOfThem() throws Exception {
        String b64 = Base64.getEncoder().encodeToString(PKI.caPem().getBytes(StandardCharsets.US_ASCII));
        Resource binary = ResourceReader.readBody("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: ca}
                binaryData: {ca.crt: %s}
                immutable: true
                """.formatted(b64).getBytes(StandardCharsets.UTF_8), BodyFormat.YAML).resources().get(0);
        assertThat(TlsBindings.caBundle(binary)).hasValue(PKI.caPem());
        assertThat(binary.specAs(ConfigMapSpec.class).immutable()).isTrue();

        var parsed = ResourceReader.readBody("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: ca}
                data: {"bad key": x, ca.crt: y, n: 3}
                binaryData: {ca.crt: eA==, blob: "not base64!"}
                immutable: "yes"
                spec: {}
                """.getBytes(StandardCharsets.UTF_8), BodyFormat.YAML);
        assertThat(parsed.errors()).extracting(m -> m.field() + ": " + m.message()).containsExactlyInAnyOrder(
                "spec: unknown field",
                "data.bad key: a ConfigMap key is made of letters, digits, '-', '_' and '.'",
                "data.n: expected string",
                "binaryData.ca.crt: is in data too; a key is in one of them",
                "binaryData.blob: is not valid base64",
                "immutable: expected boolean");
    }
}
