package io.kshift.validator.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.event.MeshSnapshot;
import org.junit.jupiter.api.Test;

/** UDP listeners and UDPRoutes (a port space of their own), and a Gateway's allowedListeners. */
class UdpRouteRulesTest {
    private final ChangeValidatorTest base = new ChangeValidatorTest();

    static final String MESH = """
            apiVersion: v1
            kind: Service
            metadata: {name: dns}
            spec: {ports: [{name: dns, protocol: UDP, port: 53}], selector: {app: dns}}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: dns-1}
            spec: {address: 10.0.0.1, labels: {app: dns}}
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: gw}
            spec:
              gatewayClassName: kshift
              listeners:
              - {name: dns, protocol: UDP, port: 5353}
              - {name: tcp, protocol: TCP, port: 5353}
            """;

    static String route(String name, String parent) {
        return """
                apiVersion: gateway.networking.k8s.io/v1alpha2
                kind: UDPRoute
                metadata: {name: %s}
                spec:
                  parentRefs: [%s]
                  rules: [{backendRefs: [{name: dns, port: 53}]}]
                """.formatted(name, parent);
    }

    ChangeValidator.Decision apply(MeshSnapshot live, String yaml) throws Exception {
        return base.apply(live, ChangeValidatorTest.yaml(yaml));
    }

    @Test
    void aUdpListenerSharesItsNumberWithATcpOneAndTakesOneUdpRoute() throws Exception {
        var d = apply(MeshSnapshot.empty(), MESH);
        assertThat(TlsRulesTest.errors(d)).isEmpty();
        assertThat(d.result().warnings()).extracting(m -> m.field() + ": " + m.message()).contains(
                "spec.listeners[0]: no route is attached to UDP port 5353; datagrams to it will be dropped");
        MeshSnapshot live = d.next().orElseThrow();
        live = base.accepted(live, ChangeValidatorTest.yaml(route("dns", "{name: gw, sectionName: dns}")));
        assertThat(TlsRulesTest.errors(apply(live, route("dns-2", "{name: gw, sectionName: dns}")))).containsExactly(
                "UDPRoute default/dns-2 spec.rules[0]: port 5353 is already routed by UDPRoute default/dns"
                        + " spec.rules[0]; a UDP port has one route");
        assertThat(TlsRulesTest.errors(apply(live, route("dns-3", "{name: gw, sectionName: tcp}")))).containsExactly(
                "UDPRoute default/dns-3 spec.parentRefs[0]: listener 'tcp' speaks TCP; a UDPRoute attaches to UDP"
                        + " listeners");
        // A UDP listener's route cannot be removed from under it silently: the listener goes first.
        var delete = base.validator.decide(live, io.kshift.model.event.ChangeRequested.of("d",
                java.time.Instant.EPOCH, io.kshift.model.event.Operation.APPLY, ChangeValidatorTest.yaml(
                        MESH.replace("  - {name: dns, protocol: UDP, port: 5353}\n", "")), false));
        assertThat(TlsRulesTest.errors(delete)).contains("Gateway.gateway.networking.k8s.io default/gw spec.listeners:"
                + " listener 'dns' cannot be removed: live routes use it: UDPRoute default/dns spec.parentRefs[0];"
                + " change those routes first");
    }

    /** A parentRef by port takes the listener on it that takes the route, and removing the other is no conflict. */
    @Test
    void aPortRefPicksTheListenerOfTheRoutesProtocol() throws Exception {
        MeshSnapshot live = base.accepted(MeshSnapshot.empty(), ChangeValidatorTest.yaml(MESH));
        live = base.accepted(live, ChangeValidatorTest.yaml(route("dns", "{name: gw, port: 5353}")));
        var dropTcp = base.validator.decide(live, io.kshift.model.event.ChangeRequested.of("d",
                java.time.Instant.EPOCH, io.kshift.model.event.Operation.APPLY, ChangeValidatorTest.yaml(
                        MESH.replace("  - {name: tcp, protocol: TCP, port: 5353}\n", "")), false));
        assertThat(TlsRulesTest.errors(dropTcp)).isEmpty();
    }

    @Test
    void allowedListenersIsTakenAndSaysNoListenerSetAttaches() throws Exception {
        String gw = """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: parent}
                spec:
                  gatewayClassName: kshift
                  allowedListeners: {namespaces: {from: %s}}
                  listeners: [{name: web, protocol: HTTP, port: 8080}]
                """;
        var d = apply(MeshSnapshot.empty(), gw.formatted("Selector, selector: {matchLabels: {a: b}}"));
        assertThat(TlsRulesTest.errors(d)).isEmpty();
        assertThat(d.result().warnings()).extracting(m -> m.field() + ": " + m.message()).contains(
                "spec.allowedListeners: ListenerSets are not served by this kshift version, so no ListenerSet adds"
                        + " listeners to this Gateway; its own listeners are served");
        assertThat(TlsRulesTest.errors(apply(MeshSnapshot.empty(), gw.formatted("Selector")))).containsExactly(
                "Gateway.gateway.networking.k8s.io default/parent spec.allowedListeners.namespaces.selector: is"
                        + " required with from: Selector");
        assertThat(apply(MeshSnapshot.empty(), gw.formatted("None")).result().warnings())
                .noneMatch(m -> m.field().startsWith("spec.allowedListeners"));
    }
}
