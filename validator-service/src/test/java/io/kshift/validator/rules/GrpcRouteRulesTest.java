package io.kshift.validator.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.event.MeshSnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

/** GRPCRoute: attached as an HTTPRoute is, its method matches checked, its cross-namespace backends granted. */
class GrpcRouteRulesTest {
    private final ChangeValidatorTest base = new ChangeValidatorTest();

    static final String MESH = """
            apiVersion: v1
            kind: Service
            metadata: {name: echo}
            spec: {ports: [{name: grpc, port: 50051}], selector: {app: echo}}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: echo-1}
            spec: {address: 10.0.0.1, labels: {app: echo}}
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: gw}
            spec:
              gatewayClassName: kshift
              listeners:
              - {name: grpc, protocol: HTTP, port: 9090}
              - {name: tcp, protocol: TCP, port: 9091}
              - {name: http-only, protocol: HTTP, port: 9092, allowedRoutes: {kinds: [{kind: HTTPRoute}]}}
            """;

    static String route(String parent, String rules) {
        return """
                apiVersion: gateway.networking.k8s.io/v1
                kind: GRPCRoute
                metadata: {name: echo}
                spec:
                  parentRefs: [%s]
                  rules:
                %s""".formatted(parent, rules);
    }

    List<String> errors(MeshSnapshot live, String yaml) throws Exception {
        return TlsRulesTest.errors(base.apply(live, ChangeValidatorTest.yaml(yaml)));
    }

    @Test
    void aGrpcRouteOnAnHttpListenerWithMethodMatchesIsAccepted() throws Exception {
        MeshSnapshot live = base.accepted(MeshSnapshot.empty(), ChangeValidatorTest.yaml(MESH));
        assertThat(errors(live, route("{name: gw, sectionName: grpc}", """
                  - matches:
                    - method: {service: com.example.Greeter, method: SayHello}
                    - method: {type: RegularExpression, service: 'com\\.example\\..*'}
                      headers: [{name: env, value: canary}]
                    filters: [{type: ResponseHeaderModifier, responseHeaderModifier: {add: [{name: x-via, value: kshift}]}}]
                    backendRefs: [{name: echo, port: 50051}]
                """))).isEmpty();
    }

    @Test
    void everyProblemIsNamedAtItsField() throws Exception {
        MeshSnapshot live = base.accepted(MeshSnapshot.empty(), ChangeValidatorTest.yaml(MESH));
        assertThat(errors(live, route("{name: gw, sectionName: tcp}, {name: gw, sectionName: http-only}", """
                  - matches:
                    - method: {type: Exact}
                    - method: {service: 'not a service', method: 'Say-Hello'}
                    - method: {type: RegularExpression, method: '(unclosed'}
                    backendRefs: [{name: echo, port: 50051}, {name: missing, port: 1}]
                  - filters: [{type: RequestMirror}]
                    backendRefs: [{name: echo, port: 50051}]
                """))).containsExactlyInAnyOrder(
                "GRPCRoute default/echo spec.rules[0].matches[2].method.methodRegex: is not a valid RE2 regular"
                        + " expression: missing closing ) in `(unclosed`",
                "GRPCRoute default/echo spec.rules[1].filters[0].requestMirror: is required for a filter of type"
                        + " RequestMirror");
        // Field errors stop there; with them fixed, the route's own rules speak.
        assertThat(errors(live, route("{name: gw, sectionName: tcp}, {name: gw, sectionName: http-only}", """
                  - matches:
                    - method: {type: Exact}
                    - method: {service: 'not a service', method: 'Say-Hello'}
                    backendRefs: [{name: echo, port: 50051}, {name: missing, port: 1}]
                """))).containsExactlyInAnyOrder(
                "GRPCRoute default/echo spec.parentRefs[0]: listener 'tcp' speaks TCP; a GRPCRoute attaches to HTTP"
                        + " and HTTPS listeners",
                "GRPCRoute default/echo spec.parentRefs[1]: listener 'http-only' of Gateway default/gw allows routes"
                        + " of kinds [HTTPRoute] only",
                "GRPCRoute default/echo spec.rules[0].matches[0].method: one or both of service and method must be"
                        + " given",
                "GRPCRoute default/echo spec.rules[0].matches[1].method.service: 'not a service' is not a gRPC service"
                        + " name (dotted identifiers, as com.example.Greeter)",
                "GRPCRoute default/echo spec.rules[0].matches[1].method.method: 'Say-Hello' is not a gRPC method name"
                        + " (an identifier, as SayHello)",
                "GRPCRoute default/echo spec.rules[0].backendRefs[1].name: Service default/missing does not exist");
    }

    @Test
    void aBackendInAnotherNamespaceNeedsAGrantForGrpcRoutes() throws Exception {
        MeshSnapshot live = base.accepted(MeshSnapshot.empty(), ChangeValidatorTest.yaml(MESH
                + "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: apps}\n"));
        String route = route("{name: gw, namespace: default}", """
                  - backendRefs: [{name: echo, namespace: default, port: 50051}]
                """).replace("metadata: {name: echo}", "metadata: {name: echo, namespace: apps}")
                .replace("listeners:", "listeners:");
        String allFrom = MESH.replace("- {name: grpc, protocol: HTTP, port: 9090}",
                "- {name: grpc, protocol: HTTP, port: 9090, allowedRoutes: {namespaces: {from: All}}}");
        live = base.accepted(live, ChangeValidatorTest.yaml(allFrom));
        assertThat(errors(live, route)).singleElement().asString()
                .startsWith("GRPCRoute apps/echo spec.rules[0].backendRefs[0].namespace:").contains("ReferenceGrant")
                .contains("GRPCRoutes from namespace apps");
        String grant = """
                apiVersion: gateway.networking.k8s.io/v1beta1
                kind: ReferenceGrant
                metadata: {name: grpc-from-apps}
                spec:
                  from: [{group: gateway.networking.k8s.io, kind: GRPCRoute, namespace: apps}]
                  to: [{group: "", kind: Service}]
                """;
        assertThat(errors(live, grant + "---\n" + route)).isEmpty();
    }

    /**
     * GEP-1426: a GRPCRoute and an HTTPRoute on one Service parent conflict; the HTTPRoute is ignored for it,
     * Accepted False with reason Conflicted, from the GRPCRoute's arrival until it leaves.
     */
    @Test
    void anHttpRouteOnTheServiceOfAGrpcRouteIsConflicted() throws Exception {
        String http = """
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: echo-http}
                spec:
                  parentRefs: [{group: "", kind: Service, name: echo}]
                  rules: [{backendRefs: [{name: echo, port: 50051}]}]
                """;
        String grpc = route("{group: \"\", kind: Service, name: echo}", """
                  - backendRefs: [{name: echo, port: 50051}]
                """);
        MeshSnapshot live = base.accepted(base.accepted(MeshSnapshot.empty(), ChangeValidatorTest.yaml(MESH)),
                ChangeValidatorTest.yaml(http));
        assertThat(live.status()).doesNotContainKey("HTTPRoute default/echo-http");
        live = base.accepted(live, ChangeValidatorTest.yaml(grpc));
        assertThat(live.status().get("HTTPRoute default/echo-http")).singleElement().satisfies(n -> {
            assertThat(n.type()).isEqualTo("Accepted");
            assertThat(n.reason()).isEqualTo("Conflicted");
            assertThat(n.field()).isEqualTo("spec.parentRefs[0]");
        });
        var gone = base.validator.decide(live, io.kshift.model.event.ChangeRequested.of("rm", java.time.Instant.EPOCH,
                io.kshift.model.event.Operation.DELETE, ChangeValidatorTest.yaml(grpc), false));
        assertThat(gone.next().orElseThrow().status()).doesNotContainKey("HTTPRoute default/echo-http");
    }

    /**
     * GEP-1016: on a Gateway listener an HTTPRoute and a GRPCRoute with overlapping hostnames do not merge; the
     * older is served and the newer is Accepted False, Conflicted.
     */
    @Test
    void aNewerHttpRouteOverlappingAGrpcRouteOnAListenerIsConflicted() throws Exception {
        String grpc = route("{name: gw, sectionName: grpc}", """
                  - backendRefs: [{name: echo, port: 50051}]
                """);
        String http = """
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: web}
                spec:
                  parentRefs: [{name: gw, sectionName: grpc}]
                  hostnames: [api.example.com]
                  rules: [{backendRefs: [{name: echo, port: 50051}]}]
                """;
        MeshSnapshot live = base.accepted(base.accepted(MeshSnapshot.empty(), ChangeValidatorTest.yaml(MESH)),
                ChangeValidatorTest.yaml(grpc));
        live = base.accepted(live, ChangeValidatorTest.yaml(http));
        assertThat(live.status().get("HTTPRoute default/web")).singleElement().satisfies(n -> {
            assertThat(n.type()).isEqualTo("Accepted");
            assertThat(n.reason()).isEqualTo("Conflicted");
            assertThat(n.field()).as("the parent it conflicts on, not every parent").isEqualTo("spec.parentRefs[0]");
            assertThat(n.message()).contains("the older GRPCRoute default/echo");
        });
        assertThat(live.status()).doesNotContainKey("GRPCRoute default/echo");
        var gone = base.validator.decide(live, io.kshift.model.event.ChangeRequested.of("rm", java.time.Instant.EPOCH,
                io.kshift.model.event.Operation.DELETE, ChangeValidatorTest.yaml(grpc), false));
        assertThat(gone.next().orElseThrow().status()).as("the older gone: served, its note too")
                .doesNotContainKey("HTTPRoute default/web");
        // Another hostname: both are served.
        live = base.accepted(live, ChangeValidatorTest.yaml(grpc.replace("parentRefs:", "hostnames: [grpc.example.com]\n  parentRefs:")));
        live = base.accepted(live, ChangeValidatorTest.yaml(http.replace("metadata: {name: web}",
                "metadata: {name: web, labels: {v: '2'}}")));
        assertThat(live.status()).doesNotContainKey("HTTPRoute default/web");
    }
}
