package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.proxy.config.RouteTableHolder;
import io.kshift.testkit.KafkaBrokerResource;
import io.kshift.testkit.TestIssuer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * Gateway API filters on one backend ({@code HTTPBackendRef.filters}): a backend's header modifiers reach only the
 * requests sent to it, and only its answers; the other backend of the same rule gets the rule's alone. With several
 * backends the rule's set wins a header both set, as Istio's weighted clusters have Envoy apply the backend's
 * first. Where the traffic lands is asserted by what each backend saw.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerResource.class)
@WithTestResource(TestIssuer.class)
class BackendFiltersTest extends GatewayHttpFixture {
    @Inject
    RouteTableHolder tables;

    @Test
    void aBackendsHeaderModifiersApplyToItsRequestsAndAnswersOnly() throws Exception {
        int port = HttpMesh.freePort();
        mesh.publishNext(tables, webServicesAndGateway(port) + """
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: split}
                spec:
                  parentRefs: [{name: web}]
                  rules:
                  - filters:
                    - type: RequestHeaderModifier
                      requestHeaderModifier: {set: [{name: x-rule, value: r}, {name: x-who, value: rule}]}
                    backendRefs:
                    - name: web-a
                      port: 8000
                      filters:
                      - type: RequestHeaderModifier
                        requestHeaderModifier: {set: [{name: x-who, value: a}, {name: x-backend, value: a}], remove: [x-drop]}
                      - type: ResponseHeaderModifier
                        responseHeaderModifier: {add: [{name: x-served-by, value: a}]}
                    - {name: web-b, port: 8000}
                """);
        v1.clear();
        v2.clear();
        int servedByA = 0;
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/get")).header("x-drop", "please").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            String version = r.headers().firstValue("x-echo-version").orElseThrow();
            assertThat(r.headers().firstValue("x-served-by")).as(version)
                    .isEqualTo(version.equals("v1") ? java.util.Optional.of("a") : java.util.Optional.empty());
            servedByA += version.equals("v1") ? 1 : 0;
        }
        assertThat(servedByA).as("equal weights split exactly").isEqualTo(5);
        assertThat(v1.seen()).hasSize(5).allSatisfy(s -> {
            assertThat(s.headers()).containsEntry("x-backend", "a").containsEntry("x-rule", "r")
                    .as("the rule's set wins over a backend's, as Envoy orders a weighted cluster's")
                    .containsEntry("x-who", "rule");
            assertThat(s.headers()).doesNotContainKey("x-drop");
        });
        assertThat(v2.seen()).hasSize(5).allSatisfy(s -> assertThat(s.headers()).containsEntry("x-who", "rule")
                .containsEntry("x-rule", "r").containsEntry("x-drop", "please").doesNotContainKey("x-backend"));
    }
}
