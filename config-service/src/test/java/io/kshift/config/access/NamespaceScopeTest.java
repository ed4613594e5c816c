package io.kshift.config.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.auth.Grant;
import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.event.ValidationMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class NamespaceScopeTest {
    static final Grant ALICE = Grant.of("alice", List.of("editor"), List.of("team-a"));

    @Test
    void aScopedEditorCannotClaimAnotherNamespacesTraffic() throws Exception {
        List<ValidationMessage> denied = NamespaceScope.denials(ALICE, read("""
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: shadow, namespace: team-a}
                spec: {hosts: [httpbin, httpbin.default.svc.cluster.local, api.team-a.svc, api.example.com,
                               reviews.default, api.team-a],
                       ports: [{number: 80, name: http}], resolution: DNS}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: grab, namespace: team-a}
                spec:
                  hosts: ["*", reviews.default.svc.cluster.local, ratings, reviews.default]
                  gateways: [mesh, default/tcp-echo-gateway, own-gw]
                  http: [{route: [{destination: {host: ratings}}]}]
                """));
        assertThat(denied).extracting(m -> m.resource() + " " + m.field()).containsExactlyInAnyOrder(
                "ServiceEntry team-a/shadow spec.hosts[0]", "ServiceEntry team-a/shadow spec.hosts[1]",
                "ServiceEntry team-a/shadow spec.hosts[4]",
                "VirtualService team-a/grab spec.hosts[0]", "VirtualService team-a/grab spec.hosts[1]",
                "VirtualService team-a/grab spec.hosts[3]",
                "VirtualService team-a/grab spec.gateways[1]");
        assertThat(denied.get(0).message()).contains("shadow the Service of that name in every namespace");
    }

    @Test
    void hostsAreCheckedAsTheProxiesMatchThemCaseInsensitivelyAndWithWildcards() throws Exception {
        List<ValidationMessage> denied = NamespaceScope.denials(ALICE, read("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: grab, namespace: team-a}
                spec:
                  hosts: [payments.bank.SVC.CLUSTER.LOCAL, Payments.Bank.svc., "*.local", "*.Cluster.Local",
                          "*.bank.svc.cluster.local", "*.Bank", API.team-a.svc.cluster.local, Shop.Example.com,
                          "*.team-a", "payments.bank.svc.cluster.local:80", "payments.bank:8080", "api.team-a:80"]
                  http: [{route: [{destination: {host: evil.team-a.svc.cluster.local}}]}]
                """));
        // A :port names the same service on that port (the proxies answer each form of it there).
        assertThat(denied).extracting(m -> m.field()).containsExactly("spec.hosts[0]", "spec.hosts[1]",
                "spec.hosts[2]", "spec.hosts[3]", "spec.hosts[4]", "spec.hosts[5]", "spec.hosts[9]",
                "spec.hosts[10]");
        assertThat(denied.get(0).message()).contains("is a service of namespace bank");
        assertThat(denied.get(2).message()).contains("would take every namespace's traffic");
    }

    @Test
    void aGatewayInAnotherNamespaceIsRefusedHoweverItIsNamed() throws Exception {
        List<ValidationMessage> denied = NamespaceScope.denials(ALICE, read("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: v, namespace: team-a}
                spec:
                  hosts: [v.example.com]
                  gateways: [./own-gw, ingress.istio-system, team-a/gw, ingress.istio-system.svc.cluster.local]
                  http: [{route: [{destination: {host: ratings}}]}]
                """));
        assertThat(denied).extracting(m -> m.field()).containsExactly("spec.gateways[1]", "spec.gateways[3]");
    }

    @Test
    void anAdminOrAnEditorOfEveryNamespaceMay() throws Exception {
        var resources = read("""
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: shadow, namespace: team-a}
                spec: {hosts: [httpbin], ports: [{number: 80, name: http}], resolution: DNS}
                """);
        assertThat(NamespaceScope.denials(Grant.of("root", List.of("admin"), List.of("team-a")), resources)).isEmpty();
        assertThat(NamespaceScope.denials(Grant.of("ed", List.of("editor"), List.of()), resources)).isEmpty();
        assertThat(NamespaceScope.denials(Grant.of("vic", List.of("viewer"), List.of()), resources))
                .singleElement().satisfies(m -> assertThat(m.message()).contains("needs role editor"));
    }

    static List<io.kshift.model.resource.Resource> read(String yaml) throws Exception {
        var parsed = ResourceReader.readBody(yaml.getBytes(StandardCharsets.UTF_8), BodyFormat.YAML);
        assertThat(parsed.errors()).isEmpty();
        return parsed.resources();
    }
}
