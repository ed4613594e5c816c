package io.kshift.validator.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.event.ChangeStatus;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.ValidationMessage;
import org.junit.jupiter.api.Test;

/** exportTo lists and Sidecars are checked as Istio checks them, every problem named by field. */
class VisibilityRulesTest {
    private final ChangeValidatorTest validator = new ChangeValidatorTest();

    private ChangeValidator.Decision apply(MeshSnapshot live, java.util.List<io.kshift.model.resource.Resource> r) {
        return validator.apply(live, r);
    }

    private MeshSnapshot accepted(MeshSnapshot live, java.util.List<io.kshift.model.resource.Resource> r) {
        return validator.accepted(live, r);
    }

    private static java.util.List<io.kshift.model.resource.Resource> yaml(String text) throws Exception {
        return ChangeValidatorTest.yaml(text);
    }

    @Test
    void exportToListsAreCheckedAsIstioChecksThem() throws Exception {
        var bad = apply(MeshSnapshot.empty(), yaml("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: a, namespace: shop}
                spec: {hosts: [a], exportTo: ["*", "shop"], http: [{route: [{destination: {host: a}}]}]}
                ---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: b, namespace: shop}
                spec: {host: b, exportTo: ["~"]}
                """));
        assertThat(bad.result().status()).isEqualTo(ChangeStatus.REJECTED);
        assertThat(bad.result().errors()).extracting(m -> m.resource() + " " + m.field() + ": " + m.message())
                .containsExactlyInAnyOrder("VirtualService shop/a spec.exportTo: '*' exports to every namespace: it"
                        + " cannot be listed with other entries", "DestinationRule shop/b spec.exportTo: '~' is"
                        + " neither '.', '*' nor a namespace name");
        // Past the fields, the rules that need the resource's namespace or read an annotation.
        var rules = apply(MeshSnapshot.empty(), yaml("""
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: a, namespace: shop}
                spec: {host: a, exportTo: [".", "shop"]}
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: a
                  namespace: shop
                  annotations: {networking.istio.io/exportTo: "Shop_Floor"}
                spec: {ports: [{name: http, port: 80}]}
                """));
        assertThat(rules.result().errors()).extracting(m -> m.resource() + " " + m.field() + ": " + m.message())
                .containsExactlyInAnyOrder("DestinationRule shop/a spec.exportTo: '.' and 'shop' both name this"
                        + " resource's own namespace", "Service shop/a metadata.annotations[networking.istio.io/exportTo]:"
                        + " 'Shop_Floor' is neither '.', '*', '~' nor a namespace name");
    }

    @Test
    void aVirtualServiceHiddenFromTheNodesNamespaceIsAcceptedWithAWarning() throws Exception {
        var d = apply(MeshSnapshot.empty(), yaml("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web, namespace: shop}
                spec:
                  hosts: [web.example.com]
                  gateways: [istio-system/gw, mesh]
                  exportTo: ["."]
                  tcp: [{route: [{destination: {host: web}}]}]
                """));
        assertThat(d.result().warnings()).extracting(m -> m.field() + ": " + m.message()).anySatisfy(m ->
                assertThat(m).startsWith("spec.exportTo: not exported to namespace istio-system, which proxy nodes"
                        + " run as unless configured otherwise"));
        var exported = apply(MeshSnapshot.empty(), yaml("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web, namespace: shop}
                spec:
                  hosts: [web.example.com]
                  exportTo: [".", istio-system]
                  tcp: [{route: [{destination: {host: web}}]}]
                """));
        assertThat(exported.result().warnings()).extracting(ValidationMessage::field).doesNotContain("spec.exportTo");
    }

    @Test
    void sidecarsAreCheckedAsIstioChecksThem() throws Exception {
        String namespaceWide = """
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: default, namespace: shop}
                spec: {egress: [{hosts: ["./*", "istio-system/*"]}]}
                """;
        MeshSnapshot live = accepted(MeshSnapshot.empty(), yaml(namespaceWide));
        var second = apply(live, yaml(namespaceWide.replace("name: default", "name: another")));
        assertThat(second.result().errors()).extracting(m -> m.field() + ": " + m.message()).containsExactly(
                "spec.workloadSelector: Sidecar shop/default already applies to the whole namespace shop; a"
                        + " namespace has at most one Sidecar without workloadSelector");
        var bad = apply(live, yaml("""
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: edge, namespace: shop}
                spec:
                  workloadSelector: {labels: {}}
                  egress: [{hosts: ["./*"]}, {hosts: ["*/*"]}]
                  outboundTrafficPolicy: {mode: ALLOW_ANY}
                ---
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: empty, namespace: billing}
                spec: {}
                """));
        assertThat(bad.result().errors()).extracting(m -> m.resource() + " " + m.field()).containsExactlyInAnyOrder(
                "Sidecar shop/edge spec.egress[1]",
                "Sidecar shop/edge spec.outboundTrafficPolicy.mode", "Sidecar shop/edge spec.workloadSelector.labels",
                "Sidecar billing/empty spec");
        var badHost = apply(live, yaml("""
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: edge, namespace: shop}
                spec: {workloadSelector: {labels: {pool: edge}}, egress: [{hosts: ["shop", "./*.*.example.com"]}]}
                """));
        assertThat(badHost.result().errors()).extracting(ValidationMessage::field).containsExactly(
                "spec.egress[0].hosts[0]", "spec.egress[0].hosts[1]");
        var overlapping = apply(live, yaml("""
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: edge, namespace: shop}
                spec: {workloadSelector: {labels: {pool: edge}}, egress: [{hosts: ["./*"]}]}
                ---
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: zone-a, namespace: shop}
                spec: {workloadSelector: {labels: {zone: a}}, egress: [{hosts: ["*/*"]}]}
                """));
        assertThat(overlapping.result().errors()).isEmpty();
        assertThat(overlapping.result().warnings()).extracting(ValidationMessage::field).contains(
                "spec.workloadSelector");
    }

    /** Istio checks a delegate's exportTo against its root's namespace: not exported there, the root serves nothing. */
    @Test
    void aDelegateNotExportedToItsRootsNamespaceIsNoted() throws Exception {
        var d = apply(MeshSnapshot.empty(), yaml("""
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: team}
                spec: {ports: [{name: http, port: 80}], selector: {app: web}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: web-1, namespace: team}
                spec: {address: 10.0.0.1, labels: {app: web}}
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: leaf, namespace: team}
                spec:
                  exportTo: ["."]
                  http: [{route: [{destination: {host: web.team.svc.cluster.local}}]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: root, namespace: shop}
                spec:
                  hosts: [web.example.com]
                  http: [{match: [{uri: {prefix: /}}], delegate: {name: leaf, namespace: team}}]
                """));
        assertThat(d.result().errors()).isEmpty();
        assertThat(d.next().orElseThrow().status().get("VirtualService shop/root")).singleElement()
                .satisfies(n -> assertThat(n.reason()).isEqualTo("RefNotPermitted"));
    }

    private static final String TEAM_WEB = """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
              namespace: team
              annotations: {networking.istio.io/exportTo: "EXPORT"}
            spec: {ports: [{name: http, port: 80}], selector: {app: web}}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: web-1, namespace: team}
            spec: {address: 10.0.0.1, labels: {app: web, version: v1}}
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: web, namespace: team}
            spec:
              host: web.team.svc.cluster.local
              exportTo: [DR_EXPORT]
              subsets: [{name: v1, labels: {version: v1}}]
            """;

    /** VirtualService team/web for web.example.com on {@code gateways}, all of it to Service team/web. */
    private static String webRoute(String gateways) {
        return """
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web, namespace: team}
                spec:
                  hosts: [web.example.com]
                  gateways: GATEWAYS
                  http: [{route: [{destination: {host: web.team.svc.cluster.local}}]}]
                """.replace("GATEWAYS", gateways);
    }

    private static String teamWeb(String serviceExport, String ruleExport) {
        return TEAM_WEB.replace("DR_EXPORT", ruleExport).replace("EXPORT", serviceExport);
    }

    @Test
    void aRouteTheNodesServeMustResolveAsTheySeeTheMesh() throws Exception {
        String route = """
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web, namespace: team}
                spec:
                  hosts: [web.example.com]
                  gateways: [mesh]
                  http:
                  - route: [{destination: {host: web.team.svc.cluster.local, subset: v1}}]
                    mirror: {host: web.team.svc.cluster.local}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: web, namespace: team}
                spec:
                  parentRefs: [{kind: Service, group: "", name: web}]
                  rules: [{backendRefs: [{name: web, port: 80}]}]
                """;
        // The Service only for its own namespace: the nodes (istio-system) serve both routes and find no web.
        var hidden = apply(MeshSnapshot.empty(), yaml(teamWeb(".", "\"*\"") + route));
        assertThat(hidden.result().status()).isEqualTo(ChangeStatus.REJECTED);
        assertThat(hidden.result().errors()).extracting(m -> m.resource() + " " + m.field())
                .containsExactlyInAnyOrder("VirtualService team/web spec.http[0].route[0].destination.host",
                        "VirtualService team/web spec.http[0].mirror.host",
                        "HTTPRoute team/web spec.rules[0].backendRefs[0].name");
        assertThat(hidden.result().errors()).allSatisfy(m -> assertThat(m.message())
                .startsWith("as proxy nodes of namespace istio-system see the mesh (only what is exported there,"
                        + " and of DestinationRules with a workloadSelector those selecting them): ")
                .contains("would answer 503"));
        // The subsets' DestinationRule only for its own namespace: the nodes know web but not subset v1.
        var noSubset = apply(MeshSnapshot.empty(), yaml(teamWeb("*", "\".\"") + route));
        assertThat(noSubset.result().errors()).extracting(m -> m.resource() + " " + m.field() + ": " + m.message())
                .singleElement().satisfies(m -> assertThat(m).startsWith("VirtualService team/web"
                        + " spec.http[0].route[0].destination.subset: as proxy nodes of namespace istio-system")
                        .contains("subset 'v1' is not defined"));
        // Exported where the nodes run: accepted.
        assertThat(apply(MeshSnapshot.empty(), yaml(teamWeb("istio-system,.", "istio-system") + route)).result()
                .errors()).isEmpty();
        // A route the nodes do not serve (exported to its own namespace only) is the visibility warning's business.
        var own = apply(MeshSnapshot.empty(), yaml(teamWeb(".", "\".\"") + route.replace("gateways: [mesh]",
                "gateways: [mesh]\n  exportTo: [\".\"]").replace("kind: HTTPRoute", "kind: HTTPRouteX")
                .replaceAll("(?s)---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRouteX.*", "")));
        assertThat(own.result().errors()).isEmpty();
    }

    /**
     * A ServiceEntry exported to its own namespace only is not the default nodes' to resolve by DNS instead: a route
     * they serve to its host would go wherever public DNS says, without the entry's endpoints (Istio's gateway has no
     * cluster for it). Refused; exported to them, accepted.
     */
    @Test
    void aServiceEntryHiddenFromTheNodesIsNotResolvedByDnsInstead() throws Exception {
        String entryAndRoute = """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: ledger, namespace: payments}
                spec:
                  hosts: [ledger.corp.example]
                  exportTo: [EXPORT]
                  ports: [{number: 5432, name: tcp, protocol: TCP}]
                  resolution: STATIC
                  endpoints: [{address: 10.1.2.3}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: ledger, namespace: payments}
                spec:
                  hosts: [ledger.corp.example]
                  gateways: [mesh]
                  tcp: [{route: [{destination: {host: ledger.corp.example, port: {number: 5432}}}]}]
                """;
        var hidden = apply(MeshSnapshot.empty(), yaml(entryAndRoute.replace("EXPORT", "\".\"")));
        assertThat(hidden.result().errors()).extracting(m -> m.resource() + " " + m.field() + ": " + m.message())
                .singleElement().satisfies(m -> assertThat(m).startsWith("VirtualService payments/ledger"
                        + " spec.tcp[0].route[0].destination.host: as proxy nodes of namespace istio-system")
                        .contains("not exported to namespace istio-system", "do not resolve it by DNS"));
        assertThat(apply(MeshSnapshot.empty(), yaml(entryAndRoute.replace("EXPORT", "\".\", istio-system")))
                .result().errors()).isEmpty();
        var whole = io.kshift.model.mesh.MeshConfig.of(yaml(entryAndRoute.replace("EXPORT", "\".\"")));
        var node = new io.kshift.model.registry.DestinationResolver(io.kshift.model.routing.Exports.visibleIn(whole,
                "istio-system"), new io.kshift.model.routing.NodeScope("istio-system", java.util.Map.of()), whole);
        assertThat(node.resolve("ledger.corp.example", null, 5432, "payments").ok())
                .as("a node of istio-system has no endpoints for it").isFalse();
    }

    @Test
    void aRouteOnlyOtherNodesServeIsNotTheDefaultNodesBusiness() throws Exception {
        var d = apply(MeshSnapshot.empty(), yaml(teamWeb(".", "\"*\"") + """
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: shop-gw, namespace: team}
                spec:
                  selector: {app: shop-gw}
                  servers: [{port: {number: 8080, name: http, protocol: HTTP}, hosts: [web.example.com]}]
                """ + webRoute("[shop-gw]")));
        assertThat(d.result().errors()).isEmpty();
        assertThat(d.result().warnings()).noneSatisfy(m -> assertThat(m.message()).contains("would answer 503"));
    }

    @Test
    void aServiceHiddenLaterFromTheNodesIsRefusedWhileRoutesNeedIt() throws Exception {
        var live = accepted(MeshSnapshot.empty(), yaml(teamWeb("*", "\"*\"") + webRoute("[mesh]")));
        var hiding = apply(live, yaml(teamWeb(".", "\"*\"")));
        assertThat(hiding.result().errors()).extracting(m -> m.resource() + " " + m.field())
                .containsExactly("VirtualService team/web spec.http[0].route[0].destination.host");
        // A route that was so already (accepted before this rule) is said, and blocks no unrelated change.
        MeshSnapshot before = new MeshSnapshot(null, live.generation() + 1, "before-the-rule", java.time.Instant.EPOCH,
                yaml(teamWeb(".", "\"*\"") + webRoute("[mesh]")));
        var unrelated = apply(before, yaml("""
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: web-2, namespace: team}
                spec: {address: 10.0.0.2, labels: {app: web, version: v1}}
                """));
        assertThat(unrelated.result().errors()).isEmpty();
        assertThat(unrelated.result().warnings()).extracting(m -> m.resource() + " " + m.field())
                .contains("VirtualService team/web spec.http[0].route[0].destination.host");
    }

    @Test
    void aDelegateServedThroughARootTheNodesServeMustResolveAsTheySeeTheMesh() throws Exception {
        String delegation = """
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web-root, namespace: team}
                spec:
                  hosts: [web.example.com]
                  gateways: [mesh]
                  http: [{delegate: {name: web-routes}}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web-routes, namespace: team}
                spec:
                  exportTo: ["."]
                  http: [{route: [{destination: {host: web.team.svc.cluster.local}}]}]
                """;
        var hidden = apply(MeshSnapshot.empty(), yaml(teamWeb(".", "\"*\"") + delegation));
        assertThat(hidden.result().errors()).extracting(m -> m.resource() + " " + m.field())
                .containsExactly("VirtualService team/web-routes spec.http[0].route[0].destination.host");
        assertThat(apply(MeshSnapshot.empty(), yaml(teamWeb("*", "\"*\"") + delegation)).result().errors())
                .isEmpty();
        // The delegate first, on its own (served nowhere: accepted), then the root that serves it: refused.
        String delegateOnly = delegation.substring(delegation.indexOf("---", 10));
        var live = accepted(MeshSnapshot.empty(), yaml(teamWeb(".", "\"*\"") + delegateOnly));
        assertThat(apply(live, yaml(delegation.substring(0, delegation.indexOf("---", 10)))).result().errors())
                .extracting(m -> m.resource() + " " + m.field())
                .containsExactly("VirtualService team/web-routes spec.http[0].route[0].destination.host");
        // No root names it: served nowhere, so not the nodes' business.
        assertThat(apply(MeshSnapshot.empty(), yaml(teamWeb(".", "\"*\"") + delegation.replace(
                "http: [{delegate: {name: web-routes}}]", "http: [{route: [{destination: {host: web.team.svc.cluster.local}}]}]")
                .replace("gateways: [mesh]", "gateways: [mesh]\n  exportTo: [\".\"]"))).result().errors()).isEmpty();
    }

    @Test
    void delegatesNamingEachOtherAreRefusedNotFollowedForEver() throws Exception {
        var d = apply(MeshSnapshot.empty(), yaml(teamWeb(".", "\"*\"") + """
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: loop-a, namespace: team}
                spec:
                  http: [{delegate: {name: loop-b}}, {route: [{destination: {host: web.team.svc.cluster.local}}]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: loop-b, namespace: team}
                spec:
                  http: [{delegate: {name: loop-b}}, {delegate: {name: loop-a}}]
                """));
        assertThat(d.result().status()).isEqualTo(ChangeStatus.REJECTED);
        assertThat(d.result().errors()).extracting(ValidationMessage::resource).contains("VirtualService team/loop-b");
    }
}
