package io.kshift.validator.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.event.MeshSnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Filters on one backend: header modifiers on HTTPRoute and GRPCRoute backends; none elsewhere. */
class BackendFilterRulesTest {
    private final ChangeValidatorTest base = new ChangeValidatorTest();

    static final String MESH = GrpcRouteRulesTest.MESH + """
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec: {ports: [{name: http, port: 80}], selector: {app: echo}}
            """;

    List<String> errors(MeshSnapshot live, String yaml) throws Exception {
        return TlsRulesTest.errors(base.apply(live, ChangeValidatorTest.yaml(yaml)));
    }

    static String httpRoute(String kind, String backendFilters, String ruleFilters) {
        return """
                apiVersion: gateway.networking.k8s.io/v1
                kind: %s
                metadata: {name: web}
                spec:
                  parentRefs: [{name: gw, sectionName: grpc}]
                  rules:
                  - filters: %s
                    backendRefs:
                    - {name: %s, port: %s, filters: %s}
                """.formatted(kind, ruleFilters, kind.equals("HTTPRoute") ? "web" : "echo",
                kind.equals("HTTPRoute") ? "80" : "50051", backendFilters);
    }

    static final String HEADERS = "[{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: x, value: '1'}]}},"
            + " {type: ResponseHeaderModifier, responseHeaderModifier: {remove: [server]}}]";

    @Test
    void headerModifiersAreTakenOnHttpAndGrpcBackends() throws Exception {
        MeshSnapshot live = base.accepted(MeshSnapshot.empty(), ChangeValidatorTest.yaml(MESH));
        assertThat(errors(live, httpRoute("HTTPRoute", HEADERS, "[]"))).isEmpty();
        assertThat(errors(live, httpRoute("GRPCRoute", HEADERS, "[]"))).isEmpty();
    }

    @Test
    void sessionPersistenceIsCheckedAsTheCrdChecksIt() throws Exception {
        MeshSnapshot live = base.accepted(MeshSnapshot.empty(), ChangeValidatorTest.yaml(MESH));
        String route = httpRoute("HTTPRoute", "[]", "[]").replace("  - filters: []\n",
                "  - filters: []\n    sessionPersistence: %s\n");
        assertThat(errors(live, route.formatted("{sessionName: shop, absoluteTimeout: 1h, idleTimeout: 5m,"
                + " cookieConfig: {lifetimeType: Permanent}}"))).isEmpty();
        assertThat(errors(live, httpRoute("GRPCRoute", "[]", "[]").replace("  - filters: []\n",
                "  - filters: []\n    sessionPersistence: {type: Header, sessionName: x-session}\n"))).isEmpty();
        String at = "HTTPRoute default/web spec.rules[0].sessionPersistence";
        var refused = base.apply(live, ChangeValidatorTest.yaml(route.formatted("{type: Header, sessionName: 'a b',"
                + " cookieConfig: {lifetimeType: Permanent}}")));
        assertThat(TlsRulesTest.errors(refused)).containsExactlyInAnyOrder(
                at + ".absoluteTimeout: must be specified when cookie lifetimeType is Permanent",
                at + ".sessionName: must be a header name: letters, digits and !#$%&'*+-.^_`|~ (no spaces, ';', '='"
                        + " or ':')");
        assertThat(TlsRulesTest.warnings(refused)).contains(at + ".cookieConfig: ignored: it configures cookies, and"
                + " this session is a header");
        assertThat(TlsRulesTest.warnings(base.apply(live, ChangeValidatorTest.yaml(route.formatted(
                "{absoluteTimeout: 0s, cookieConfig: {lifetimeType: Permanent}}"))))).containsExactly(at
                + ".absoluteTimeout: 0s is no timeout: the Permanent cookie has no Max-Age and lasts as a browser"
                + " session's would");
    }

    @Test
    void otherFiltersBelongOnTheRuleAndEachModifierComesOnce() throws Exception {
        MeshSnapshot live = base.accepted(MeshSnapshot.empty(), ChangeValidatorTest.yaml(MESH));
        assertThat(errors(live, httpRoute("HTTPRoute", "[{type: URLRewrite, urlRewrite: {hostname: other}},"
                + " {type: RequestHeaderModifier, requestHeaderModifier: {remove: [a]}},"
                + " {type: RequestHeaderModifier, requestHeaderModifier: {remove: [b]}}]", "[]"))).containsExactlyInAnyOrder(
                "HTTPRoute default/web spec.rules[0].backendRefs[0].filters[0].type: a URLRewrite filter is not"
                        + " served on one backend by this kshift version: a backend's filters modify its request and"
                        + " response headers; put it on the rule",
                "HTTPRoute default/web spec.rules[0].backendRefs[0].filters[2].type: RequestHeaderModifier filter"
                        + " cannot be repeated (filters[1] is one already)");
    }

    @Test
    void backendsWithoutFiltersInTheApiTakeNone() throws Exception {
        MeshSnapshot live = base.accepted(MeshSnapshot.empty(), ChangeValidatorTest.yaml(MESH));
        String mirror = "[{type: RequestMirror, requestMirror: {backendRef: {name: web, port: 80, filters: " + HEADERS
                + "}}}]";
        assertThat(errors(live, httpRoute("HTTPRoute", "[]", mirror))).containsExactly("HTTPRoute default/web"
                + " spec.rules[0].filters[0].requestMirror.backendRef.filters: unknown field: a mirror's backend takes"
                + " no filters");
        assertThat(errors(live, """
                apiVersion: gateway.networking.k8s.io/v1alpha2
                kind: TCPRoute
                metadata: {name: echo}
                spec:
                  parentRefs: [{name: gw, sectionName: tcp}]
                  rules: [{backendRefs: [{name: echo, port: 50051, filters: %s}]}]
                """.formatted(HEADERS))).containsExactly("TCPRoute default/echo spec.rules[0].backendRefs[0].filters:"
                + " unknown field: a TCPRoute's backend takes no filters");
    }
}
