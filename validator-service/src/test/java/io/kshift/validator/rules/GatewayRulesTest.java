package io.kshift.validator.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.event.MeshSnapshot;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What a Gateway API Gateway may say that kshift's shared fleet keeps without acting on it. */
class GatewayRulesTest {
    private final ChangeValidatorTest base = new ChangeValidatorTest();

    static final String GATEWAY = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: edge}
            spec:
              gatewayClassName: kshift
              infrastructure:
                labels: {team: web}
                annotations: {service.beta.kubernetes.io/aws-load-balancer-type: nlb}
              listeners: [{name: web, protocol: HTTP, port: 8080}]
            """;

    /** Service web (port 80) with one endpoint. */
    static final String WEB = """
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec: {ports: [{name: http, port: 80}], selector: {app: web}}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: web}
            spec: {address: 10.0.0.9, ports: {http: 8080}, labels: {app: web}}
            ---
            """;

    @Test
    void infrastructureIsKeptAndSaidToLabelNothing() throws Exception {
        var d = base.apply(MeshSnapshot.empty(), ChangeValidatorTest.yaml(GATEWAY));
        assertThat(d.result().errors()).isEmpty();
        assertThat(d.result().warnings()).extracting(m -> m.field() + ": " + m.message()).contains(
                "spec.infrastructure: kshift proxies are one shared fleet and create nothing per Gateway (no"
                        + " Service, no Deployment), so these labels and annotations are kept but label nothing");
        assertThat(d.next().orElseThrow().resources()).anySatisfy(r -> assertThat(r.specAs(
                io.kshift.model.gateway.KubeGatewaySpec.class).infrastructure().annotations())
                .containsEntry("service.beta.kubernetes.io/aws-load-balancer-type", "nlb"));

        var parsed = ResourceReader.readBody((GATEWAY.replace("    labels: {team: web}",
                "    labels: {team: web}\n    parametersRef: {group: example.com, kind: Config, name: c}"))
                .getBytes(StandardCharsets.UTF_8), BodyFormat.YAML);
        assertThat(parsed.errors()).extracting(m -> m.field() + ": " + m.message()).containsExactly(
                "spec.infrastructure.parametersRef: not supported: kshift proxies are one shared fleet, not a"
                        + " deployment per Gateway: there is no per-Gateway infrastructure to parameterize");
    }

    @Test
    void aTcpRouteTheServersHostsDoNotAdmitIsSaidToServeNothing() throws Exception {
        var d = base.apply(MeshSnapshot.empty(), ChangeValidatorTest.yaml("""
                apiVersion: v1
                kind: Service
                metadata: {name: grab, namespace: team-b}
                spec: {ports: [{name: tcp, port: 9000}], selector: {app: grab}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: grab, namespace: team-b}
                spec: {address: 10.0.0.9, ports: {tcp: 9000}, labels: {app: grab}}
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: tcp-gw, namespace: infra}
                spec: {servers: [{port: {number: 31400, name: tcp, protocol: TCP}, hosts: ["infra/*"]}]}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: grab, namespace: team-b}
                spec: {hosts: ["*"], gateways: [infra/tcp-gw], tcp: [{route: [{destination: {host: grab}}]}]}
                """));
        assertThat(d.result().errors()).isEmpty();
        assertThat(d.result().warnings()).extracting(m -> m.field() + ": " + m.message()).contains(
                "spec.tcp[0]: TCP port 31400 of Gateway infra/tcp-gw takes VirtualServices its server's hosts"
                        + " [infra/*] admit; this one (namespace team-b, hosts [*]) is not, and its route serves"
                        + " nothing there");
    }

    @Test
    void aHeaderNameGivenTwiceInAnotherCaseIsWarnedAboutNotRefused() throws Exception {
        var d = base.apply(MeshSnapshot.empty(), ChangeValidatorTest.yaml(WEB + GATEWAY + """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: web}
                spec:
                  parentRefs: [{name: edge}]
                  rules:
                  - matches: [{headers: [{name: X-Env, value: prod}, {name: x-env, value: staging}]}]
                    filters:
                    - type: RequestHeaderModifier
                      requestHeaderModifier: {set: [{name: X-A, value: '1'}, {name: x-a, value: '2'}]}
                    backendRefs: [{name: web, port: 80}]
                """));
        assertThat(d.result().errors()).isEmpty();
        assertThat(d.result().warnings()).extracting(m -> m.field() + ": " + m.message()).contains(
                "spec.rules[0].matches[0].headers[1].name: 'x-env' is header 'X-Env' again (header names are not"
                        + " case-sensitive): only the first is matched",
                "spec.rules[0].filters[0].requestHeaderModifier.set[1].name: 'x-a' is header 'X-A' again (header"
                        + " names are not case-sensitive): only the first is used");
    }

    @Test
    void gatewayApiBackendsOfWeightZeroAreAcceptedAndSaidToGetNothing() throws Exception {
        String mesh = WEB + GATEWAY + """
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: web}
                spec:
                  parentRefs: [{name: edge}]
                  rules:
                  - backendRefs: [{name: web, port: 80, weight: 0}]
                  - matches: [{path: {type: PathPrefix, value: /two}}]
                    backendRefs: [{name: web, port: 80, weight: 0}, {name: web, port: 80, weight: 0}]
                """;
        var d = base.apply(MeshSnapshot.empty(), ChangeValidatorTest.yaml(mesh));
        assertThat(d.result().errors()).as("the Gateway API's meaning: no traffic for them").isEmpty();
        assertThat(d.result().warnings()).extracting(m -> m.field() + ": " + m.message()).contains(
                "spec.rules[0].backendRefs: every weight is 0: nothing is forwarded (requests are answered 500), as"
                        + " the Gateway API says",
                "spec.rules[1].backendRefs: every weight is 0: nothing is forwarded (requests are answered 500), as"
                        + " the Gateway API says");
    }

    @Test
    void gatewayApiTimeoutsOfZeroAreOffAndATryLongerThanTheRequestIsSaid() throws Exception {
        String route = """
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: web}
                spec:
                  parentRefs: [{name: edge}]
                  rules:
                  - backendRefs: [{name: web, port: 80}]
                    timeouts: {request: %s, backendRequest: %s}
                """;
        String mesh = WEB + GATEWAY + "---\n";
        var off = base.apply(MeshSnapshot.empty(), ChangeValidatorTest.yaml(mesh + route.formatted("0s", "2s")));
        assertThat(off.result().errors()).as("0s: no request timeout, as the API's guide says").isEmpty();
        var longer = base.apply(MeshSnapshot.empty(), ChangeValidatorTest.yaml(mesh + route.formatted("1s", "2s")));
        assertThat(longer.result().errors()).isEmpty();
        assertThat(longer.result().warnings()).extracting(m -> m.field() + ": " + m.message()).contains(
                "spec.rules[0].timeouts.backendRequest: longer than the request timeout (1s), which ends the request"
                        + " first (the CRD refuses this)");
    }

    @Test
    void aRetryMayIgnorePreviousHostsAsKshiftAlwaysDoes() throws Exception {
        var parsed = ResourceReader.readBody("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web}
                spec:
                  hosts: [web]
                  http:
                  - route: [{destination: {host: web}}]
                    retries: {attempts: 2, retryIgnorePreviousHosts: false, backoff: 50ms}
                """.getBytes(StandardCharsets.UTF_8), BodyFormat.YAML);
        assertThat(parsed.errors()).isEmpty();
        var retries = parsed.resources().get(0).specAs(io.kshift.model.istio.VirtualServiceSpec.class).http().get(0)
                .retries();
        assertThat(retries.retryIgnorePreviousHosts()).isFalse();
        assertThat(retries.backoff()).isEqualTo("50ms");
    }

    /**
     * The Gateway CRD's listener rules and the HTTPRoute CRD's hostname pattern, which an API server would apply:
     * a port, protocol and hostname once per Gateway, no hostname on TCP or UDP, lower-case names or '*.' wildcards.
     */
    @Test
    void listenersAndRouteHostnamesAreCheckedAsTheCrdsCheckThem() throws Exception {
        var d = base.apply(MeshSnapshot.empty(), ChangeValidatorTest.yaml("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: edge}
                spec:
                  gatewayClassName: kshift
                  listeners:
                  - {name: a, protocol: HTTP, port: 8080, hostname: shop.example.com}
                  - {name: b, protocol: http, port: 8080, hostname: shop.example.com}
                  - {name: c, protocol: HTTP, port: 8080, hostname: Shop.Example.com}
                  - {name: t, protocol: TCP, port: 9000, hostname: db.example.com}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: web}
                spec:
                  parentRefs: [{name: edge}]
                  hostnames: ['*', 'shop.example.com:8080', '*.example.com', 'foo*.example.com']
                  rules: [{backendRefs: [{name: web, port: 80}]}]
                """));
        assertThat(d.result().errors()).extracting(m -> m.resource() + " " + m.field()).contains(
                "Gateway.gateway.networking.k8s.io default/edge spec.listeners[1]", "Gateway.gateway.networking.k8s.io default/edge spec.listeners[2].hostname",
                "Gateway.gateway.networking.k8s.io default/edge spec.listeners[3].hostname", "HTTPRoute default/web spec.hostnames[0]",
                "HTTPRoute default/web spec.hostnames[1]", "HTTPRoute default/web spec.hostnames[3]")
                .doesNotContain("Gateway.gateway.networking.k8s.io default/edge spec.listeners[0]", "HTTPRoute default/web spec.hostnames[2]");
        assertThat(d.result().errors()).anySatisfy(m -> assertThat(m.message())
                .contains("has the port, protocol and hostname of listener 'a'"));
    }

    /** Those checks came after Gateways were accepted without them: a change that does not write one is not refused. */
    @Test
    void aGatewayAcceptedBeforeTheListenerChecksBlocksNoOtherChange() throws Exception {
        var old = ChangeValidatorTest.yaml("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: edge}
                spec:
                  gatewayClassName: kshift
                  listeners: [{name: t, protocol: TCP, port: 9000, hostname: db.example.com}]
                """);
        MeshSnapshot live = new MeshSnapshot(null, 7, "before-the-rule", java.time.Instant.EPOCH, old);
        var unrelated = base.apply(live, ChangeValidatorTest.yaml(WEB));
        assertThat(unrelated.result().errors()).isEmpty();
        var replace = base.validator.decide(live, io.kshift.model.event.ChangeRequested.of("r", java.time.Instant.EPOCH,
                io.kshift.model.event.Operation.REPLACE, old, false));
        assertThat(replace.result().errors()).as("a REPLACE (a rollback) carrying it unchanged").isEmpty();
    }
}
