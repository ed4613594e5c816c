package io.kshift.validator.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.event.ChangeStatus;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.resource.Resource;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Several DestinationRules for one host in one namespace: merged as Istio merges them, and said where it matters. */
class DestinationRuleMergeRulesTest {
    private final ChangeValidatorTest validator = new ChangeValidatorTest();

    private static final String SERVICE = """
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec: {selector: {app: web}, ports: [{name: http, port: 80}]}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: web-1}
            spec: {address: 10.0.0.1, labels: {app: web, version: v1}}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: web-2}
            spec: {address: 10.0.0.2, labels: {app: web, version: v2}}
            ---
            """;

    /** One creation time for a batch: the older of two is then the first by name, {@code a-...}. */
    private static String rule(String name, String body) {
        return "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: " + name + "}\n"
                + "spec:\n  host: web.default.svc.cluster.local\n" + body + "---\n";
    }

    private static String route(String... subsets) {
        StringBuilder out = new StringBuilder("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web}
                spec:
                  hosts: [web.example.com]
                  http:
                  - route:
                """);
        for (String s : subsets) {
            out.append("    - {destination: {host: web, subset: ").append(s).append("}, weight: 1}\n");
        }
        return out.toString();
    }

    private static List<Resource> yaml(String text) throws Exception {
        return ChangeValidatorTest.yaml(text);
    }

    @Test
    void aWildcardHostIsSaidToApplyToNoServiceNotToNothingYet() throws Exception {
        var d = validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("wild", """
                  trafficPolicy: {loadBalancer: {simple: RANDOM}}
                """).replace("host: web.default.svc.cluster.local", "host: '*.default.svc.cluster.local'")));
        assertThat(d.result().errors()).isEmpty();
        assertThat(d.result().warnings()).extracting(m -> m.field() + ": " + m.message()).contains(
                "spec.host: a wildcard host ('*.default.svc.cluster.local') is not matched against services by this"
                        + " kshift version: the rule applies to no service; name each host (Istio would apply it to"
                        + " every service under it that has no rule of its own)");
    }

    @Test
    void aRuleWithAWorkloadSelectorStaysInItsNamespaceAndASubsetOnlyItDefinesIsSaid() throws Exception {
        String rules = SERVICE + rule("a-edge", """
                  workloadSelector: {matchLabels: {tier: edge}}
                  trafficPolicy: {loadBalancer: {simple: LEAST_REQUEST}}
                  subsets: [{name: v1, labels: {version: v1}}]
                """) + rule("b-default", """
                  trafficPolicy: {loadBalancer: {simple: RANDOM}}
                  subsets: [{name: v2, labels: {version: v2}}]
                """);
        // Served by edge nodes only (a Gateway selecting them): said, not refused.
        var ok = validator.apply(MeshSnapshot.empty(), yaml(rules + """
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: edge}
                spec:
                  selector: {tier: edge}
                  servers: [{port: {number: 8080, name: http, protocol: HTTP}, hosts: ['*']}]
                ---
                """ + route("v1", "v2").replace("  hosts: [web.example.com]\n",
                "  hosts: [web.example.com]\n  gateways: [edge]\n")));
        assertThat(TlsRulesTest.errors(ok)).isEmpty();
        assertThat(TlsRulesTest.warnings(ok)).as("two trafficPolicies, one per kind of node: nothing ignored")
                .containsExactly("VirtualService default/web spec.http[0].route[0].destination.subset: subset 'v1' is"
                        + " defined only by DestinationRule default/a-edge (workloadSelector {tier=edge}):"
                        + " proxy nodes of namespace default it selects serve it; any other node answers its share 503"
                        + " (no such subset; TCP connections are closed)");
        // Served by the default nodes (the mesh port), which the rule does not select: refused.
        assertThat(TlsRulesTest.errors(validator.apply(MeshSnapshot.empty(), yaml(rules + route("v1", "v2")))))
                .singleElement().asString().startsWith("VirtualService default/web"
                        + " spec.http[0].route[0].destination.subset: as proxy nodes of namespace istio-system see"
                        + " the mesh").contains("subset 'v1' is not defined");
        var refused = validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("a-edge", """
                  workloadSelector: {matchLabels: {istio: ingressgateway}}
                  exportTo: ["*"]
                """) + rule("b-edge", """
                  workloadSelector: {matchLabels: {}}
                  exportTo: [".", other]
                """) + rule("c-edge", """
                  workloadSelector: {matchLabels: {istio: ingressgateway}}
                  exportTo: ["default"]
                """)));
        assertThat(TlsRulesTest.errors(refused)).containsExactlyInAnyOrder(
                "DestinationRule default/a-edge spec.exportTo: a destination rule with a workload selector cannot be"
                        + " exported beyond its own namespace (it applies only to proxy nodes of default)",
                "DestinationRule default/b-edge spec.exportTo: a destination rule with a workload selector cannot"
                        + " have several entries in exportTo (it applies only to proxy nodes of default)");
        var badKey = validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("c-edge", """
                  workloadSelector: {matchLabels: {"bad key": x}}
                """)));
        assertThat(TlsRulesTest.errors(badKey)).containsExactly("DestinationRule default/c-edge"
                + " spec.workloadSelector.matchLabels: label key 'bad key' is not a valid label name (at most 63"
                + " letters, digits, '-', '_' or '.', beginning and ending with a letter or digit)");
        assertThat(TlsRulesTest.warnings(refused)).contains("DestinationRule default/b-edge"
                + " spec.workloadSelector.matchLabels: workload selector specified without labels: the rule applies to"
                + " every proxy node of namespace default");
    }

    @Test
    void aRuleOutsideTheServicesAndTheRootNamespaceIsSaidToApplyToItsNamespacesNodesOnly() throws Exception {
        var warned = validator.apply(MeshSnapshot.empty(), yaml(SERVICE + """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: web, namespace: frontend}
                spec: {host: web.default.svc.cluster.local, trafficPolicy: {loadBalancer: {simple: RANDOM}}}
                """));
        assertThat(TlsRulesTest.errors(warned)).isEmpty();
        assertThat(TlsRulesTest.warnings(warned)).containsExactly("DestinationRule frontend/web spec.host: applies"
                + " only on proxy nodes of namespace frontend (kshift.proxy.namespace): as Istio's proxies, a node"
                + " looks for DestinationRules in its own namespace, then the service's (default), then"
                + " istio-system's; routes in frontend served by other nodes do not use it");
    }

    @Test
    void aRetryBudgetIsAShareAndReplacesMaxRetries() throws Exception {
        var refused = validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("web", """
                  trafficPolicy: {retryBudget: {percent: 150, minRetryConcurrency: -1}}
                """)));
        assertThat(TlsRulesTest.errors(refused)).containsExactly(
                "DestinationRule default/web spec.trafficPolicy.retryBudget.minRetryConcurrency: must not be negative",
                "DestinationRule default/web spec.trafficPolicy.retryBudget.percent: must be between 0 and 100");
        var warned = validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("web", """
                  trafficPolicy:
                    retryBudget: {percent: 25}
                    connectionPool: {http: {maxRetries: 5}}
                    portLevelSettings: [{port: {number: 80}, connectionPool: {http: {maxRetries: 2}}}]
                """)));
        assertThat(TlsRulesTest.errors(warned)).isEmpty();
        assertThat(TlsRulesTest.warnings(warned)).containsExactly("DestinationRule default/web"
                + " spec.trafficPolicy.portLevelSettings[0].connectionPool.http.maxRetries: not used:"
                + " spec.trafficPolicy.retryBudget bounds retries in flight instead (as Envoy's budget overrides the"
                + " retry circuit breaker)", "DestinationRule default/web spec.trafficPolicy.connectionPool.http"
                + ".maxRetries: not used: retryBudget bounds retries in flight instead (as Envoy's budget overrides"
                + " the retry circuit breaker)");
    }

    @Test
    void cookieAttributesAreTokensTheProxyDoesNotWriteItself() throws Exception {
        String cookie = """
                  trafficPolicy:
                    loadBalancer: {consistentHash: {httpCookie: {name: s, path: /, ttl: %s, attributes: %s}}}
                """;
        var ok = validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("web", cookie.formatted("60s",
                "[{name: SameSite, value: Lax}, {name: Secure}, {name: Partitioned}]"))));
        assertThat(TlsRulesTest.errors(ok)).isEmpty();
        assertThat(TlsRulesTest.warnings(ok)).isEmpty();
        var refused = validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("web", cookie.formatted("60s",
                "[{name: 'Same Site', value: Lax}, {name: Domain, value: 'a;b'}]"))));
        String at = "DestinationRule default/web spec.trafficPolicy.loadBalancer.consistentHash.httpCookie.attributes";
        assertThat(TlsRulesTest.errors(refused)).containsExactlyInAnyOrder(
                at + "[0].name: must be a cookie attribute name (letters, digits and !#$%&'*+.^_`|~-; no spaces, ';'"
                        + " or '=')",
                at + "[1].value: must not hold ';' or control characters");
        var twice = validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("web", cookie.formatted("60s",
                "[{name: max-age, value: '9'}, {name: Secure}, {name: secure}]"))));
        assertThat(TlsRulesTest.errors(twice)).containsExactly(
                at + "[0].name: 'max-age' is not an attribute to add: ttl sets Max-Age",
                at + "[2].name: 'secure' is given twice");
        var noTtl = validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("web", cookie.formatted("null",
                "[{name: Secure}]"))));
        assertThat(TlsRulesTest.warnings(noTtl)).containsExactly(at + ": used only on a cookie the proxy makes,"
                + " which needs a ttl; without one the client's cookie is hashed as it is");
    }

    @Test
    void aWarmupNeedsADurationAndIsSaidToDoNothingWhereEnvoyHasNoSlowStart() throws Exception {
        String lb = "  trafficPolicy: {loadBalancer: %s}\n";
        var ok = validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("web", lb.formatted(
                "{simple: LEAST_REQUEST, warmup: {duration: 60s, minimumPercent: 5, aggression: 1.5}}"))));
        assertThat(TlsRulesTest.errors(ok)).isEmpty();
        assertThat(TlsRulesTest.warnings(ok)).isEmpty();
        var refused = validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("web", lb.formatted(
                "{warmup: {minimumPercent: 120, aggression: 0}}"))));
        String at = "DestinationRule default/web spec.trafficPolicy.loadBalancer.warmup";
        assertThat(TlsRulesTest.errors(refused)).containsExactly(at + ".aggression: must be greater than 0",
                at + ".duration: is required", at + ".minimumPercent: must be between 0 and 100");
        var random = validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("web", lb.formatted(
                "{simple: RANDOM, warmupDurationSecs: 30s, warmup: {duration: 60s}}"))));
        assertThat(TlsRulesTest.warnings(random)).containsExactly(
                "DestinationRule default/web spec.trafficPolicy.loadBalancer.warmupDurationSecs: ignored: warmup is"
                        + " given, and that one applies",
                at + ": ignored with RANDOM (slow start is for ROUND_ROBIN and LEAST_REQUEST, as Envoy's)");
    }

    @Test
    void aTunnelOpensByConnectToANameOrAddressAndHttpRoutesAreToldTheyDoNotUseIt() throws Exception {
        String tunnel = "  trafficPolicy: {tunnel: %s}\n";
        var ok = validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("web", tunnel.formatted(
                "{targetHost: api.example.com, targetPort: 443}"))));
        assertThat(TlsRulesTest.errors(ok)).isEmpty();
        assertThat(TlsRulesTest.errors(validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("web",
                tunnel.formatted("{protocol: connect, targetHost: '2001:db8::1', targetPort: 443}")))))).isEmpty();
        String at = "DestinationRule default/web spec.trafficPolicy.tunnel";
        assertThat(TlsRulesTest.errors(validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("web",
                tunnel.formatted("{protocol: POST, targetHost: 'api example', targetPort: 443}"))))))
                .containsExactly(at + ".protocol: POST tunnels are not served by this kshift version; use CONNECT",
                        at + ".targetHost: 'api example' must be a DNS name or an IP address");
        assertThat(TlsRulesTest.errors(validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("web",
                tunnel.formatted("{targetHost: api.example.com, targetPort: 70000}")))))).containsExactly(
                at + ".targetPort: must be a port number between 1 and 65535");
        String tunnelled = SERVICE + rule("web", tunnel.formatted("{targetHost: api.example.com, targetPort: 443}"));
        var http = validator.apply(MeshSnapshot.empty(), yaml(tunnelled + routedBy("http")));
        assertThat(TlsRulesTest.warnings(http)).contains("VirtualService default/web spec.http[0].route[0]: web has a"
                + " DestinationRule tunnel, which HTTP routes do not use (Istio tunnels TCP and TLS routes only):"
                + " traffic goes to its endpoints as it is");
        var tcp = validator.apply(MeshSnapshot.empty(), yaml(tunnelled + routedBy("tcp")));
        assertThat(TlsRulesTest.errors(tcp)).isEmpty();
        assertThat(TlsRulesTest.warnings(tcp)).as("a TCP route tunnels").noneMatch(w -> w.contains("tunnel"));
    }

    /** A VirtualService sending its {@code kind} (http, tcp) route to web. */
    private static String routedBy(String kind) {
        return """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web}
                spec:
                  hosts: [web.example.com]
                  %s: [{route: [{destination: {host: web}}]}]
                """.formatted(kind);
    }

    @Test
    void envoysHashTablesAreTakenWithTheirSizesUnusedAndAMaglevTableIsPrime() throws Exception {
        String lb = "  trafficPolicy: {loadBalancer: {consistentHash: %s}}\n";
        String at = "DestinationRule default/web spec.trafficPolicy.loadBalancer.consistentHash";
        var ring = validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("web", lb.formatted(
                "{httpHeaderName: user, ringHash: {minimumRingSize: 1024}}"))));
        assertThat(TlsRulesTest.errors(ring)).isEmpty();
        assertThat(TlsRulesTest.warnings(ring)).containsExactly(at + ".ringHash: taken, its size not used: kshift"
                + " hashes keys by rendezvous, which needs no ring or table; as with one, a key keeps its endpoint"
                + " while the endpoints stay, and an endpoint added or removed moves only its own share of keys");
        assertThat(TlsRulesTest.errors(validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("web",
                lb.formatted("{useSourceIp: true, maglev: {tableSize: 65537}}")))))).isEmpty();
        assertThat(TlsRulesTest.errors(validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("web",
                lb.formatted("{useSourceIp: true, maglev: {tableSize: 65536}, ringHash: {}}")))))).containsExactly(
                at + ".maglev: set ringHash or maglev, not both",
                at + ".maglev.tableSize: 65536 must be a prime number (Envoy's Maglev table)");
        assertThat(TlsRulesTest.errors(validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("web",
                lb.formatted("{useSourceIp: true, maglev: {}, minimumRingSize: 64}")))))).containsExactly(
                at + ".minimumRingSize: set the deprecated minimumRingSize or ringHash/maglev, not both",
                at + ".maglev.tableSize: must be set (a prime number)");
        assertThat(TlsRulesTest.warnings(validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("web",
                lb.formatted("{useSourceIp: true, minimumRingSize: 64}")))))).singleElement().asString()
                .startsWith(at + ".minimumRingSize: taken").endsWith("minimumRingSize is deprecated: use"
                        + " ringHash.minimumRingSize");
    }

    @Test
    void localitySettingsAreCheckedAsIstioChecksThem() throws Exception {
        String lb = "  trafficPolicy: {outlierDetection: {consecutive5xxErrors: 3},"
                + " loadBalancer: {localityLbSetting: %s}}\n";
        String at = "DestinationRule default/web spec.trafficPolicy.loadBalancer.localityLbSetting";
        var ok = validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("web", lb.formatted(
                "{distribute: [{from: us-east/*, to: {'us-east/a/*': 70, 'eu-west/*': 30}}]}"))));
        assertThat(TlsRulesTest.errors(ok)).isEmpty();
        assertThat(TlsRulesTest.errors(validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("web", lb.formatted(
                "{distribute: [{from: '*/a', to: {us-east: 60}}], failover: [{from: us-east, to: us-east/b}]}"))))))
                .containsExactlyInAnyOrder(at + ".failover: set distribute or failover, not both",
                        at + ".distribute[0].from: '*/a' is not a locality (region/zone/subzone, a '*' only as its"
                                + " last part)",
                        at + ".distribute[0].to: shares add up to 60; they must add up to 100",
                        at + ".failover[0]: 'us-east/b' is not a region: failover goes region to region");
        assertThat(TlsRulesTest.errors(validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("web", lb.formatted(
                "{distribute: [{from: us-east, to: {us-east: 100, eu-west: 0}}]}")))))).containsExactly(
                at + ".distribute[0].to: 'eu-west': a share is from 1 to 100");
        assertThat(TlsRulesTest.errors(validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("web", lb.formatted(
                "{failover: [{from: us-east, to: '*'}]}")))))).containsExactly(
                at + ".failover[0]: '*' is not a region: failover goes region to region");
        var noOutliers = validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("web",
                "  trafficPolicy: {loadBalancer: {localityLbSetting: {failover: [{from: us-east, to: eu-west}]}}}\n")));
        assertThat(TlsRulesTest.warnings(noOutliers)).containsExactly(at + ".failover: does nothing without"
                + " outlierDetection (as in Istio: without it no endpoint is ever found unhealthy, so traffic never"
                + " fails over)");
    }

    @Test
    void failoverPriorityNamesLabelsAndNoTopologyLabelBesideFailover() throws Exception {
        String lb = "  trafficPolicy: {outlierDetection: {consecutive5xxErrors: 3},"
                + " loadBalancer: {localityLbSetting: %s}}\n";
        String at = "DestinationRule default/web spec.trafficPolicy.loadBalancer.localityLbSetting";
        var ok = validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("web", lb.formatted(
                "{failoverPriority: [topology.istio.io/network, 'topology.kubernetes.io/zone=z1'],"
                        + " failover: [{from: us-east, to: eu-west}]}"))));
        assertThat(TlsRulesTest.errors(ok)).isEmpty();
        assertThat(TlsRulesTest.warnings(ok)).isEmpty();
        assertThat(TlsRulesTest.errors(validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("web", lb.formatted(
                "{failoverPriority: ['', 'bad key', topology.kubernetes.io/zone], failover: [{from: a, to: b}]}"))))))
                .containsExactly(at + ".failoverPriority[0]: must name a label (key or key=value)",
                        at + ".failoverPriority[1]: label key 'bad key' is not a valid label name (at most 63 letters,"
                                + " digits, '-', '_' or '.', beginning and ending with a letter or digit)",
                        at + ".failoverPriority[2]: can not simultaneously set 'failover' and topology label"
                                + " 'topology.kubernetes.io/zone' in failoverPriority (as Istio refuses it)");
        var distribute = validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("web", lb.formatted(
                "{failoverPriority: [net], distribute: [{from: us-east, to: {us-east: 100}}]}"))));
        assertThat(TlsRulesTest.warnings(distribute)).containsExactly(at + ".failoverPriority: ignored: distribute"
                + " is given, and that one applies (as in Istio)");
        var noOutliers = validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("web",
                "  trafficPolicy: {loadBalancer: {localityLbSetting: {failoverPriority: [net]}}}\n")));
        assertThat(TlsRulesTest.warnings(noOutliers)).containsExactly(at + ".failoverPriority: does nothing without"
                + " outlierDetection (as in Istio: without it no endpoint is ever found unhealthy, so traffic never"
                + " fails over)");
    }

    @Test
    void theProxyProtocolIsForTcpAndTlsRoutes() throws Exception {
        String proxied = SERVICE + rule("web", "  trafficPolicy: {proxyProtocol: {version: V2}}\n");
        var tcp = validator.apply(MeshSnapshot.empty(), yaml(proxied + routedBy("tcp")));
        assertThat(TlsRulesTest.errors(tcp)).isEmpty();
        assertThat(TlsRulesTest.warnings(tcp)).contains("DestinationRule default/web"
                + " spec.trafficPolicy.proxyProtocol: sent on TCP and TLS routes' connections: requests to this host"
                + " through the mesh port's default route are HTTP and go without it");
        assertThat(TlsRulesTest.errors(validator.apply(MeshSnapshot.empty(), yaml(proxied + routedBy("tcp").replace(
                "tcp: [{route: [{destination: {host: web}}]}]", "http: [{route: [{destination: {host: other}}],"
                        + " mirror: {host: web}}]") + """
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: other}
                spec: {selector: {app: web}, ports: [{name: http, port: 80}]}
                """)))).as("a mirror's connections are shared too").containsExactly("VirtualService default/web"
                + " spec.http[0].mirror: mirror web has a DestinationRule proxyProtocol, which this kshift version"
                + " sends on TCP and TLS routes only: an HTTP route's upstream connections carry many clients'"
                + " requests");
        assertThat(TlsRulesTest.errors(validator.apply(MeshSnapshot.empty(), yaml(proxied + routedBy("http")))))
                .containsExactly("VirtualService default/web spec.http[0].route[0]: web has a DestinationRule"
                        + " proxyProtocol, which this kshift version sends on TCP and TLS routes only: an HTTP route's"
                        + " upstream connections carry many clients' requests");
        // The rule added under a live HTTP route: refused too, the route's field named.
        MeshSnapshot live = validator.accepted(MeshSnapshot.empty(), yaml(SERVICE + routedBy("http")));
        assertThat(TlsRulesTest.errors(validator.apply(live, yaml(rule("web",
                "  trafficPolicy: {proxyProtocol: {version: V1}}\n"))))).singleElement().asString()
                .startsWith("VirtualService default/web spec.http[0].route[0]: web has a DestinationRule proxyProtocol");
    }

    @Test
    void aLocalOriginThresholdNeedsTheSplit() throws Exception {
        String od = "  trafficPolicy: {outlierDetection: %s}\n";
        var split = validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("web", od.formatted(
                "{consecutiveLocalOriginFailures: 2, splitExternalLocalOriginErrors: true}"))));
        assertThat(TlsRulesTest.errors(split)).isEmpty();
        assertThat(TlsRulesTest.warnings(split)).isEmpty();
        var alone = validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("web", od.formatted(
                "{consecutiveLocalOriginFailures: 2}"))));
        assertThat(TlsRulesTest.errors(alone)).containsExactly("DestinationRule default/web"
                + " spec.trafficPolicy.outlierDetection.consecutiveLocalOriginFailures: needs"
                + " splitExternalLocalOriginErrors: true (without it, connect failures, resets and timeouts count as"
                + " 5xx and gateway errors)");
        assertThat(TlsRulesTest.errors(validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("web", od.formatted(
                "{consecutiveLocalOriginFailures: 0}")))))).as("0: Istio sends nothing").isEmpty();
    }

    @Test
    void aRouteMayUseSubsetsOfEitherRuleAndOverlapsAreSaid() throws Exception {
        var d = validator.apply(MeshSnapshot.empty(), yaml(SERVICE + rule("a-old", """
                  trafficPolicy: {loadBalancer: {simple: LEAST_REQUEST}}
                  subsets: [{name: v1, labels: {version: v1}}]
                """) + rule("b-new", """
                  trafficPolicy: {loadBalancer: {simple: RANDOM}}
                  subsets: [{name: v1, labels: {version: v2}}, {name: v2, labels: {version: v2}}]
                """) + route("v1", "v2")));
        assertThat(d.result().errors()).isEmpty();
        assertThat(d.result().warnings()).extracting(m -> m.resource() + " " + m.field() + ": " + m.message())
                .contains("DestinationRule default/b-new spec.host: host 'web.default.svc.cluster.local' also has"
                                + " DestinationRule default/a-old in this namespace: they are merged as Istio merges"
                                + " them (every subset; of two with one name, and of two trafficPolicies, the older"
                                + " rule's)",
                        "DestinationRule default/b-new spec.trafficPolicy: ignored: the older DestinationRule"
                                + " default/a-old for this host has a trafficPolicy, and that one applies",
                        "DestinationRule default/b-new spec.subsets[0].name: ignored: the older DestinationRule"
                                + " default/a-old defines subset 'v1' for this host, and that one applies");
    }

    @Test
    void aSubsetStillDefinedByTheOtherRuleMayLeaveThisOne() throws Exception {
        MeshSnapshot live = validator.accepted(MeshSnapshot.empty(), yaml(SERVICE
                + rule("a-old", "  subsets: [{name: v1, labels: {version: v1}}]\n")
                + rule("b-new", "  subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]\n")
                + route("v1", "v2")));
        // v1 stays defined by a-old: nothing the route uses is lost.
        var keep = validator.apply(live, yaml(rule("b-new", "  subsets: [{name: v2, labels: {version: v2}}]\n")));
        assertThat(keep.result().errors()).isEmpty();
        // v2 is b-new's alone: removing b-new breaks the route, and the removal is refused naming it.
        var d = validator.validator.decide(live, io.kshift.model.event.ChangeRequested.of("c", java.time.Instant.EPOCH,
                io.kshift.model.event.Operation.DELETE, yaml(rule("b-new", "  subsets: []\n")), false));
        assertThat(d.result().status()).isEqualTo(ChangeStatus.REJECTED);
        assertThat(d.result().errors()).extracting(m -> m.resource() + " " + m.field() + ": " + m.message())
                .contains("DestinationRule default/b-new spec.subsets[1]: subset 'v2' cannot be removed: live routes"
                        + " use it: VirtualService default/web spec.http[0].route[1]; change those routes first");
    }
}
