package io.kshift.model.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceWriter;
import io.kshift.model.event.EventCodec;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.SnapshotDecoder;
import io.kshift.model.event.SnapshotEncoder;
import io.kshift.model.mesh.SyntheticMesh;
import io.kshift.model.resource.Resource;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResourceStatusTest {
    private static final String ROUTE = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: web}
            spec:
              parentRefs: [{name: public}, {name: later}]
              rules: [{backendRefs: [{name: web, port: 8000}]}]
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: web}
            spec: {host: web}
            """;

    @Test
    void aRouteReportsPerParentAndOtherKindsReportConditions() {
        List<Resource> resources = SyntheticMesh.parse(ROUTE);
        Resource route = resources.stream().filter(r -> r.kind().equals("HTTPRoute")).findFirst().orElseThrow();
        List<StatusNote> notes = List.of(StatusNote.noMatchingParent("spec.parentRefs[1].name",
                "Gateway default/later does not exist yet"));
        String yaml = ResourceWriter.writeShown(List.of(ResourceWriter.shown(route,
                ResourceStatus.of(route, notes, 7))), BodyFormat.YAML);
        assertThat(yaml).contains("""
                status:
                  parents:
                  - parentRef:
                      name: public
                    controllerName: kshift.io/gateway-controller
                    conditions:
                    - type: Accepted
                      status: "True"
                      reason: Accepted
                      observedGeneration: 7
                    - type: ResolvedRefs
                      status: "True"
                      reason: ResolvedRefs
                      observedGeneration: 7
                  - parentRef:
                      name: later
                    controllerName: kshift.io/gateway-controller
                    conditions:
                    - type: Accepted
                      status: "False"
                      reason: NoMatchingParent
                      message: "spec.parentRefs[1].name: Gateway default/later does not exist yet"
                      observedGeneration: 7
                """);
        Resource rule = resources.stream().filter(r -> r.kind().equals("DestinationRule")).findFirst().orElseThrow();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> conditions = (List<Map<String, Object>>) ResourceStatus.of(rule, List.of(), 7)
                .get("conditions");
        assertThat(conditions).extracting(c -> c.get("type") + "=" + c.get("status"))
                .containsExactly("Accepted=True", "ResolvedRefs=True");
    }

    @Test
    void notesTravelWithTheSnapshotWhicheverWayItIsDecoded() {
        var notes = Map.of("HTTPRoute default/web", List.of(StatusNote.notAllowedByListeners("spec.parentRefs[0]",
                "not admitted")));
        MeshSnapshot snapshot = new MeshSnapshot(null, 3, "c", Instant.parse("2026-01-01T00:00:00Z"), notes,
                SyntheticMesh.parse(ROUTE));
        String json = new SnapshotEncoder().encode(snapshot);
        assertThat(json).isEqualTo(EventCodec.encode(snapshot));
        assertThat(new SnapshotDecoder().decode(json).status()).isEqualTo(snapshot.status());
        // Another writer's layout (resources first) goes through the tokenizer.
        String reordered = "{\"resources\":[]," + json.substring(1, json.indexOf(",\"resources\"")) + "}";
        assertThat(new SnapshotDecoder().decode(reordered).status()).isEqualTo(snapshot.status());
    }
}
