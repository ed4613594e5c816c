package io.kshift.model.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What GET shows can be applied again: {@code kubectl get -o yaml | kubectl apply -f -}. */
class ResourceWriterTest {
    @Test
    void theCoreGroupsEmptyNameSurvivesTheWayBack() throws Exception {
        var parsed = ResourceReader.readBody("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: BackendTLSPolicy
                metadata: {name: api}
                spec:
                  targetRefs: [{group: "", kind: Service, name: api}]
                  validation: {caCertificateRefs: [{group: "", kind: ConfigMap, name: ca}], hostname: api.internal}
                ---
                apiVersion: gateway.networking.k8s.io/v1beta1
                kind: ReferenceGrant
                metadata: {name: grant}
                spec:
                  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: web}]
                  to: [{group: "", kind: Service}]
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: settings, labels: {tier: ""}}
                data: {empty: "", ca.crt: x}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: api}
                spec:
                  host: api
                  subsets: [{name: canary, labels: {canary: ""}}]
                """.getBytes(StandardCharsets.UTF_8), BodyFormat.YAML);
        assertThat(parsed.errors()).isEmpty();
        for (BodyFormat format : BodyFormat.values()) {
            String shown = ResourceWriter.writeShown(parsed.resources().stream()
                    .map(r -> ResourceWriter.shown(r, null)).toList(), format);
            var again = ResourceReader.readBody(shown.getBytes(StandardCharsets.UTF_8), format);
            assertThat(again.errors()).as(format + ":\n" + shown).isEmpty();
            assertThat(again.resources()).isEqualTo(parsed.resources());
        }
    }
}
