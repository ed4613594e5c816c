package io.kshift.validator.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.event.ChangeRequested;
import io.kshift.model.event.ChangeStatus;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.Operation;
import io.kshift.model.event.ResourceAction;
import io.kshift.model.event.ValidationMessage;
import io.kshift.model.resource.Resource;
import jakarta.validation.Validation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.Test;

class ChangeValidatorTest {
    static final Path SAMPLES = Path.of("..", "samples", "tcp-echo");
    final ChangeValidator validator = new ChangeValidator(Validation.byDefaultProvider().configure()
            .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory().getValidator(),
            Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC));

    static List<Resource> file(String name) throws Exception {
        var parsed = ResourceReader.readBody(Files.readAllBytes(SAMPLES.resolve(name)), BodyFormat.YAML);
        assertThat(parsed.errors()).isEmpty();
        return parsed.resources();
    }

    static List<Resource> yaml(String text) throws Exception {
        var parsed = ResourceReader.readBody(text.getBytes(StandardCharsets.UTF_8), BodyFormat.YAML);
        assertThat(parsed.errors()).isEmpty();
        return parsed.resources();
    }

    ChangeValidator.Decision apply(MeshSnapshot live, List<Resource> resources) {
        return validator.decide(live, ChangeRequested.of("c", Instant.EPOCH, Operation.APPLY, resources, false));
    }

    MeshSnapshot accepted(MeshSnapshot live, List<Resource> resources) {
        var d = apply(live, resources);
        assertThat(d.result().errors()).isEmpty();
        return d.next().orElseThrow();
    }

    MeshSnapshot seeded() throws Exception {
        return accepted(accepted(MeshSnapshot.empty(), file("tcp-echo-services.yaml")), file("tcp-echo-all-v1.yaml"));
    }

    @Test
    void aDeleteOfResourcesNamedOnlyByTheirIdentityRemovesThem() throws Exception {
        MeshSnapshot live = seeded();
        var parsed = ResourceReader.readBody("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: tcp-echo}
                """.getBytes(java.nio.charset.StandardCharsets.UTF_8), BodyFormat.YAML, true);
        // As it travels: encoded by config-service, decoded here.
        ChangeRequested change = io.kshift.model.event.EventCodec.decode(io.kshift.model.event.EventCodec.encode(
                ChangeRequested.of("d", Instant.EPOCH, Operation.DELETE, parsed.resources(), false)),
                ChangeRequested.class);
        var d = validator.decide(live, change);
        assertThat(d.result().errors()).isEmpty();
        assertThat(d.result().resources()).extracting(a -> a.kind() + " " + a.name() + " " + a.action())
                .containsExactly("VirtualService tcp-echo DELETED");
        assertThat(d.next().orElseThrow().resources()).noneMatch(r -> r.kind().equals("VirtualService"));
    }

    /**
     * Of ServiceEntries sharing a host the oldest holds it (Istio: a newer one cannot take it over), whatever the
     * namespaces' names; the newer is warned, naming the older and the namespace whose nodes prefer their own.
     */
    @Test
    void aNewerServiceEntryForAHostAnOlderOneDeclaresIsWarnedAndDoesNotTakeItOver() throws Exception {
        String entry = """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: partner, namespace: %s}
                spec:
                  hosts: [api.partner.example]
                  ports: [{number: 80, name: http, protocol: HTTP}]
                  resolution: STATIC
                  endpoints: [{address: %s}]
                """;
        MeshSnapshot live = accepted(MeshSnapshot.empty(), yaml(entry.formatted("zz-payments", "10.0.0.1")));
        ChangeValidator anHourLater = new ChangeValidator(Validation.byDefaultProvider().configure()
                .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory().getValidator(),
                Clock.fixed(Instant.parse("2026-11-22T13:00:00Z"), ZoneOffset.UTC));
        var d = anHourLater.decide(live, ChangeRequested.of("c2", Instant.EPOCH, Operation.APPLY,
                yaml(entry.formatted("team-a", "10.0.0.2")), false));
        assertThat(d.result().errors()).isEmpty();
        assertThat(d.result().warnings()).anySatisfy(w -> {
            assertThat(w.resource()).isEqualTo("ServiceEntry team-a/partner");
            assertThat(w.field()).isEqualTo("spec.hosts[0]");
            assertThat(w.message()).contains("older ServiceEntry zz-payments/partner", "namespace team-a");
        });
        var registry = io.kshift.model.registry.ServiceRegistry.build(io.kshift.model.mesh.MeshConfig.of(
                d.next().orElseThrow().resources()));
        assertThat(registry.lookup("api.partner.example", "default").orElseThrow().namespace())
                .isEqualTo("zz-payments");
    }

    /**
     * A VirtualService host with a :port is refused (Istio: a host is a DNS name): the proxies answered every form of
     * the name before it on that port, ahead of the service's own routes.
     */
    @Test
    void aVirtualServiceHostHasNoPort() throws Exception {
        var d = apply(seeded(), yaml("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: grab}
                spec:
                  hosts: ["tcp-echo.default.svc.cluster.local:80"]
                  http: [{route: [{destination: {host: tcp-echo, port: {number: 9000}}}]}]
                """));
        assertThat(d.result().errors()).extracting(m -> m.field() + ": " + m.message()).contains(
                "spec.hosts[0]: 'tcp-echo.default.svc.cluster.local:80' is not a host name: a VirtualService host has"
                        + " no port (match the port with match[].port)");
        var ipv6 = apply(seeded(), yaml("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: by-address}
                spec:
                  hosts: ["2001:db8::10"]
                  gateways: [tcp-echo-gateway]
                  http: [{route: [{destination: {host: tcp-echo, port: {number: 9000}}}]}]
                """));
        assertThat(ipv6.result().errors()).as("an IPv6 address is a host, not a name with a port")
                .noneSatisfy(m -> assertThat(m.message()).contains("is not a host name"));
    }

    /** Istio's own ServiceEntry checks (ValidateServiceEntry): ports once, no '*' host, endpoints or a selector. */
    @Test
    void serviceEntriesAreCheckedAsIstioChecksThem() throws Exception {
        var d = apply(MeshSnapshot.empty(), yaml("""
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: wide}
                spec:
                  hosts: ['*', '*.partner.example', 'api.partner.example:443']
                  ports: [{number: 80, name: http, protocol: HTTP}, {number: 80, name: http, protocol: TCP}]
                  resolution: DNS
                ---
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: both}
                spec:
                  hosts: [db.partner.example]
                  ports: [{number: 5432, name: tcp, protocol: TCP}]
                  resolution: STATIC
                  endpoints: [{address: 10.0.0.1}]
                  workloadSelector: {labels: {app: db}}
                """));
        assertThat(d.result().errors()).extracting(m -> m.resource() + " " + m.field()).containsExactlyInAnyOrder(
                "ServiceEntry default/wide spec.hosts[0]", "ServiceEntry default/wide spec.hosts[1]",
                "ServiceEntry default/wide spec.hosts[2]",
                "ServiceEntry default/wide spec.ports[1].number", "ServiceEntry default/wide spec.ports[1].name",
                "ServiceEntry default/both spec.workloadSelector");
    }

    @Test
    void aGatewayNamedInIstiosLegacyFqdnFormIsTheGatewayOfThatNamespace() throws Exception {
        MeshSnapshot live = seeded();
        var d = apply(live, ChangeValidatorTest.yaml("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: tcp-echo, namespace: default}
                spec:
                  hosts: ['*']
                  gateways: [tcp-echo-gateway.default.svc.cluster.local]
                  tcp:
                  - match: [{port: 31400}]
                    route: [{destination: {host: tcp-echo, subset: v2, port: {number: 9000}}}]
                """));
        assertThat(d.result().errors()).isEmpty();
        assertThat(d.result().warnings()).as("it attaches: no gateway 'does not exist (yet)'").isEmpty();
        var bindings = io.kshift.model.routing.ListenerBindings.compute(io.kshift.model.mesh.MeshConfig.of(
                d.next().orElseThrow().resources()));
        assertThat(bindings.get(31400).routes()).singleElement().satisfies(r ->
                assertThat(r.targets()).singleElement().satisfies(t -> assertThat(t.subset()).isEqualTo("v2")));
    }

    @Test
    void acceptsEveryHttpSampleInTurn() throws Exception {
        Path http = Path.of("..", "samples", "httpbin");
        MeshSnapshot live = accepted(MeshSnapshot.empty(), read(http.resolve("httpbin-services.yaml")));
        for (String f : List.of("mirror/httpbin-all-v1.yaml", "mirror/httpbin-mirror-v2.yaml", "tutorial/gateway.yaml",
                "tutorial/header-routing.yaml", "tutorial/canary-75-25.yaml", "tutorial/canary-90-10.yaml",
                "tutorial/faults.yaml", "tutorial/timeout-retries.yaml", "tutorial/circuit-breaker.yaml",
                "tutorial/load-balancers.yaml")) {
            var d = apply(live, read(http.resolve(f)));
            assertThat(d.result().errors()).as(f).isEmpty();
            if (!f.equals("tutorial/gateway.yaml")) {
                assertThat(d.result().warnings()).as(f).isEmpty();
            }
            live = d.next().orElse(live);
        }
    }

    static List<Resource> read(Path file) throws Exception {
        var parsed = ResourceReader.readBody(Files.readAllBytes(file), BodyFormat.YAML);
        assertThat(parsed.errors()).as(file.toString()).isEmpty();
        return parsed.resources();
    }

    @Test
    void aChangeMadeAgainstAnotherGenerationIsRefusedAsAConflictAndChangesNothing() throws Exception {
        MeshSnapshot live = seeded();
        var change = ChangeRequested.of("c", Instant.EPOCH, Operation.APPLY, file("tcp-echo-20-v2.yaml"), false);
        var stale = validator.decide(live, change.ifGeneration(live.generation() - 1));
        assertThat(stale.result().status()).isEqualTo(ChangeStatus.REJECTED);
        assertThat(stale.next()).isEmpty();
        assertThat(stale.result().errors()).containsExactly(ChangeRequested.conflict(live.generation(),
                live.generation() - 1));
        var current = validator.decide(live, change.ifGeneration(live.generation()));
        assertThat(current.result().status()).isEqualTo(ChangeStatus.ACCEPTED);
        assertThat(current.result().generation()).isEqualTo(live.generation() + 1);
    }

    @Test
    void acceptsTheTaskAndCountsGenerations() throws Exception {
        MeshSnapshot g2 = seeded();
        assertThat(g2.generation()).isEqualTo(2);
        MeshSnapshot g3 = accepted(g2, file("tcp-echo-20-v2.yaml"));
        assertThat(g3.generation()).isEqualTo(3);
        var same = apply(g3, file("tcp-echo-20-v2.yaml"));
        assertThat(same.result().status()).isEqualTo(ChangeStatus.ACCEPTED);
        assertThat(same.next()).as("an unchanged apply makes no new generation").isEmpty();
    }

    @Test
    void rejectsAnUndefinedSubsetNamingTheField() throws Exception {
        var d = apply(seeded(), file("tcp-echo-undefined-subset.yaml"));
        assertThat(d.result().status()).isEqualTo(ChangeStatus.REJECTED);
        assertThat(d.result().generation()).isEqualTo(2);
        assertThat(d.next()).isEmpty();
        assertThat(d.result().errors()).singleElement().satisfies(e -> {
            assertThat(e.resource()).isEqualTo("VirtualService default/tcp-echo");
            assertThat(e.field()).isEqualTo("spec.tcp[0].route[0].destination.subset");
            assertThat(e.message()).contains("v3");
        });
    }

    @Test
    void reportsEveryErrorAtOnce() throws Exception {
        var d = apply(seeded(), yaml("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: tcp-echo}
                spec:
                  hosts: ["*"]
                  gateways: [tcp-echo-gateway, nowhere]
                  tcp:
                  - route:
                    - destination: {host: tcp-echo, subset: v1, port: {number: 9000}}
                      weight: -5
                    - destination: {host: tcp-echo, subset: v9, port: {number: 70000}}
                      weight: 20
                """));
        assertThat(d.result().errors()).extracting(ValidationMessage::field).containsExactlyInAnyOrder(
                "spec.tcp[0].route[0].weight", "spec.tcp[0].route[1].destination.port.number");
        var cross = apply(seeded(), yaml("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: tcp-echo}
                spec:
                  hosts: ["*"]
                  gateways: [tcp-echo-gateway, nowhere]
                  tcp:
                  - route:
                    - destination: {host: tcp-echo, subset: v1, port: {number: 9000}}
                      weight: 0
                    - destination: {host: tcp-echo, subset: v9, port: {number: 9000}}
                      weight: 0
                    - destination: {host: no-such-service, port: {number: 9000}}
                """));
        assertThat(cross.result().errors()).extracting(ValidationMessage::field).containsExactlyInAnyOrder(
                "spec.tcp[0].route", "spec.tcp[0].route[1].destination.subset",
                "spec.tcp[0].route[2].destination.host");
        // A gateway that does not exist yet is no error (files apply in any order); it is said, as a warning.
        assertThat(cross.result().warnings()).extracting(ValidationMessage::field).contains("spec.gateways[1]");
    }

    /**
     * Make-before-break holds for operators, but the registry adapter's deregistration of a pod that is gone is
     * accepted even when it leaves a route without endpoints (a warning there): the entry would keep only the pod's
     * address, which the next pod may get, and the route would reach it.
     */
    @Test
    void theRegistryAdaptersDeregistrationOfAGonePodMayLeaveARouteWithoutEndpoints() throws Exception {
        MeshSnapshot live = seeded();
        String v1 = """
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: tcp-echo-v1}
                spec: {address: 127.0.0.1}
                """;
        var byOperator = validator.decide(live, ChangeRequested.of("d", Instant.EPOCH, Operation.DELETE, yaml(v1),
                false).by("alice"));
        assertThat(byOperator.result().status()).isEqualTo(ChangeStatus.REJECTED);
        assertThat(byOperator.result().errors()).extracting(e -> e.resource() + " " + e.field())
                .contains("VirtualService default/tcp-echo spec.tcp[0].route[0].destination.subset");
        var byAdapter = validator.decide(live, ChangeRequested.of("registry-1", Instant.EPOCH, Operation.DELETE,
                yaml(v1), false).by(io.kshift.model.bus.MeshAcls.REGISTRY_SUBJECT));
        assertThat(byAdapter.result().status()).isEqualTo(ChangeStatus.ACCEPTED);
        assertThat(byAdapter.result().warnings()).anySatisfy(w -> {
            assertThat(w.resource()).isEqualTo("VirtualService default/tcp-echo");
            assertThat(w.message()).contains("has no endpoints", "workloads are gone");
        });
        // The route left so blocks nothing after: a registration of another pod, an operator's unrelated change
        // (each checks every route again) are accepted; a change that writes the route itself is held to it.
        MeshSnapshot emptied = byAdapter.next().orElseThrow();
        var another = validator.decide(emptied, ChangeRequested.of("registry-2", Instant.EPOCH, Operation.APPLY,
                yaml(v1.replace("tcp-echo-v1", "other-pod").replace("127.0.0.1", "10.9.9.9")), false)
                .by(io.kshift.model.bus.MeshAcls.REGISTRY_SUBJECT));
        assertThat(another.result().status()).isEqualTo(ChangeStatus.ACCEPTED);
        var touchingIt = validator.decide(emptied, ChangeRequested.of("c", Instant.EPOCH, Operation.APPLY,
                file("tcp-echo-20-v2.yaml"), false).by("alice"));
        assertThat(touchingIt.result().status()).isEqualTo(ChangeStatus.REJECTED);
    }

    @Test
    void rejectsDeletingASubsetALiveRouteUses() throws Exception {
        MeshSnapshot live = seeded();
        var d = validator.decide(live, ChangeRequested.of("d", Instant.EPOCH, Operation.DELETE,
                yaml("""
                        apiVersion: networking.istio.io/v1
                        kind: DestinationRule
                        metadata: {name: tcp-echo-destination}
                        spec: {host: tcp-echo}
                        """), false));
        assertThat(d.result().status()).isEqualTo(ChangeStatus.REJECTED);
        assertThat(d.result().errors()).extracting(e -> e.resource() + " " + e.field()).containsExactlyInAnyOrder(
                "VirtualService default/tcp-echo spec.tcp[0].route[0].destination.subset",
                "DestinationRule default/tcp-echo-destination spec.subsets[0]");
        assertThat(d.result().errors()).filteredOn(e -> e.resource().startsWith("DestinationRule")).singleElement()
                .satisfies(e -> assertThat(e.message()).contains("subset 'v1'", "VirtualService default/tcp-echo"));
    }

    /**
     * A DestinationRule applies to declared hosts only: TLS it would originate to a host reached by DNS refuses the
     * routes to it, as they would go in plaintext, whichever comes first; a ServiceEntry makes both good.
     */
    @Test
    void tlsARuleWouldOriginateToAnUndeclaredHostRefusesTheRoutesToIt() throws Exception {
        String route = """
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: edge}
                spec:
                  selector: {istio: ingressgateway}
                  servers: [{port: {number: 8088, name: http, protocol: HTTP}, hosts: ['*']}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: api}
                spec:
                  hosts: ['*']
                  gateways: [edge]
                  http: [{route: [{destination: {host: api.example.com, port: {number: 443}}}]}]
                """;
        String rule = """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: api}
                spec: {host: api.example.com, trafficPolicy: {tls: {mode: SIMPLE}}}
                """;
        var together = apply(seeded(), yaml(route + "---\n" + rule));
        assertThat(together.result().errors()).extracting(e -> e.resource() + " " + e.field()).containsExactly(
                "VirtualService default/api spec.http[0].route[0].destination.host");
        var ruleLater = apply(accepted(seeded(), yaml(route)), yaml(rule));
        assertThat(ruleLater.result().status()).as("a rule that would turn a live route's traffic to plaintext")
                .isEqualTo(ChangeStatus.REJECTED);
        String entry = """
                ---
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: api}
                spec:
                  hosts: [api.example.com]
                  ports: [{number: 443, name: https, protocol: HTTPS}]
                  resolution: DNS
                """;
        assertThat(apply(seeded(), yaml(route + "---\n" + rule + entry)).result().errors()).isEmpty();
    }

    /**
     * kubectl applies a directory's files in name order, so a route often comes before its gateway: it is taken
     * (with a warning), and attaches when the gateway is created, which then reports no port without a route.
     */
    @Test
    void aRouteMayComeBeforeItsGatewayAndAttachesWhenItArrives() throws Exception {
        var route = apply(seeded(), yaml(RuleTableTest.tcpRoute("{name: later-gw}", "{name: tcp-echo, port: 9000}")));
        assertThat(route.result().status()).isEqualTo(ChangeStatus.ACCEPTED);
        assertThat(route.result().warnings()).filteredOn(w -> w.resource().equals("TCPRoute default/r"))
                .singleElement().satisfies(w -> {
                    assertThat(w.field()).isEqualTo("spec.parentRefs[0].name");
                    assertThat(w.message()).contains("Gateway default/later-gw does not exist (yet)");
                });
        var gateway = apply(route.next().orElseThrow(), yaml("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: later-gw}
                spec:
                  gatewayClassName: kshift
                  listeners: [{name: tcp, protocol: TCP, port: 9300}]
                """));
        assertThat(gateway.result().status()).isEqualTo(ChangeStatus.ACCEPTED);
        assertThat(gateway.result().warnings()).as("the waiting route attached to the new listener")
                .noneMatch(w -> w.resource().contains("later-gw") || w.resource().equals("TCPRoute default/r"));
        var without = apply(route.next().orElseThrow(), yaml(RuleTableTest.KUBE_GATEWAY.replace("kube-gw", "other-gw")
                .replace("9100", "9400").replace("---", "")));
        assertThat(without.result().warnings()).as("a listener with no route is still told")
                .anyMatch(w -> w.resource().contains("other-gw"));
    }

    /**
     * A route of another namespace cannot block a Gateway's owner: waiting for infra's gateway on a listener it
     * then does not have (or that admits only its own namespace) is a warning, and the gateway is created.
     */
    @Test
    void aRouteOfAnotherNamespaceNeverBlocksTheGatewayItWaitsFor() throws Exception {
        var waiting = apply(seeded(), yaml("""
                apiVersion: gateway.networking.k8s.io/v1alpha2
                kind: TCPRoute
                metadata: {name: r, namespace: team}
                spec:
                  parentRefs: [{name: public, namespace: infra, sectionName: tcp-9500}]
                  rules: [{backendRefs: [{name: tcp-echo, namespace: default, port: 9000}]}]
                ---
                apiVersion: gateway.networking.k8s.io/v1beta1
                kind: ReferenceGrant
                metadata: {name: let-team-in, namespace: default}
                spec:
                  from: [{group: gateway.networking.k8s.io, kind: TCPRoute, namespace: team}]
                  to: [{group: "", kind: Service}]
                """));
        assertThat(waiting.result().status()).isEqualTo(ChangeStatus.ACCEPTED);
        String gateway = """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: public, namespace: infra}
                spec:
                  gatewayClassName: kshift
                  listeners: [{name: LISTENER, protocol: TCP, port: 9500}]
                """;
        var otherListener = apply(waiting.next().orElseThrow(), yaml(gateway.replace("LISTENER", "tcp")));
        assertThat(otherListener.result().status()).isEqualTo(ChangeStatus.ACCEPTED);
        assertThat(otherListener.result().warnings()).extracting(m -> m.resource() + " " + m.field())
                .contains("TCPRoute team/r spec.parentRefs[0].sectionName");
        var sameNamespaceOnly = apply(waiting.next().orElseThrow(), yaml(gateway.replace("LISTENER", "tcp-9500")));
        assertThat(sameNamespaceOnly.result().status()).as("from: Same by default").isEqualTo(ChangeStatus.ACCEPTED);
        assertThat(sameNamespaceOnly.result().warnings()).anySatisfy(w -> assertThat(w.message())
                .contains("admits routes from its own namespace only; this route does not attach there"));
        // The route it does not admit does not stop its owner deleting it either.
        var deleted = validator.decide(sameNamespaceOnly.next().orElseThrow(), ChangeRequested.of("d", Instant.EPOCH,
                Operation.DELETE, yaml(gateway.replace("LISTENER", "tcp-9500")), false));
        assertThat(deleted.result().errors()).as("team/r was never served by it").isEmpty();
    }

    /** A listener renamed (same port and protocol) still serves the routes that name no sectionName: nothing lost. */
    @Test
    void renamingAListenerItsRoutesStillAttachToIsNoRemoval() throws Exception {
        String gateway = """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: public}
                spec:
                  gatewayClassName: kshift
                  listeners: [{name: LISTENER, protocol: TCP, port: 9500}]
                ---
                apiVersion: gateway.networking.k8s.io/v1alpha2
                kind: TCPRoute
                metadata: {name: r}
                spec:
                  parentRefs: [{name: public}]
                  rules: [{backendRefs: [{name: tcp-echo, port: 9000}]}]
                """;
        MeshSnapshot live = accepted(seeded(), yaml(gateway.replace("LISTENER", "tcp")));
        assertThat(apply(live, yaml(gateway.replace("LISTENER", "echo"))).result().errors()).isEmpty();
        assertThat(apply(live, yaml(gateway.replace("LISTENER", "echo").replace("port: 9500", "port: 9501")))
                .result().errors()).as("on another port the route would lose its listener's traffic")
                .extracting(m -> m.field()).containsExactly("spec.listeners");
    }

    /** A kept listener of the port waives a removal only if it takes every name the removed one took. */
    @Test
    void removingAListenerWhoseNamesNoKeptListenerTakesIsRefused() throws Exception {
        String gateway = """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: web}
                spec:
                  gatewayClassName: kshift
                  listeners:
                  - {name: foo, protocol: HTTP, port: 8080, hostname: foo.example.com}
                  - {name: bar, protocol: HTTP, port: 8080, hostname: bar.example.com}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: both}
                spec:
                  parentRefs: [{name: web}]
                  hostnames: [foo.example.com, bar.example.com]
                  rules: [{backendRefs: [{name: tcp-echo, port: 9000}]}]
                """;
        MeshSnapshot live = accepted(seeded(), yaml(gateway));
        var withoutFoo = apply(live, yaml(gateway.replace(
                "  - {name: foo, protocol: HTTP, port: 8080, hostname: foo.example.com}\n", "")));
        assertThat(withoutFoo.result().errors()).as("foo.example.com would go dark").extracting(m -> m.message())
                .anySatisfy(m -> assertThat(m).contains("listener 'foo' cannot be removed", "HTTPRoute default/both"));
    }

    /** Gateway API mesh routing: a Service parent in the route's own namespace, on a port the Service has. */
    @Test
    void anHttpRouteMayNameAServiceAsItsParent() throws Exception {
        String services = """
                apiVersion: v1
                kind: Service
                metadata: {name: reviews}
                spec: {ports: [{name: http, port: 9080}], selector: {app: reviews}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: reviews-1}
                spec: {address: 127.0.0.1, ports: {http: 7001}, labels: {app: reviews}}
                ---
                """;
        String route = """
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: reviews, namespace: NS}
                spec:
                  parentRefs: [{group: "", kind: Service, name: reviews, namespace: default, port: PORT}]
                  rules: [{backendRefs: [{name: reviews, namespace: default, port: 9080}]}]
                """;
        var ok = apply(seeded(), yaml(services + route.replace("NS", "default").replace("PORT", "9080")));
        assertThat(ok.result().errors()).isEmpty();
        assertThat(ok.result().status()).isEqualTo(ChangeStatus.ACCEPTED);
        var wrongPort = apply(seeded(), yaml(services + route.replace("NS", "default").replace("PORT", "9081")));
        assertThat(wrongPort.result().errors()).extracting(ValidationMessage::field)
                .containsExactly("spec.parentRefs[0].port");
        var consumer = apply(seeded(), yaml(services + route.replace("NS", "other").replace("PORT", "9080")));
        assertThat(consumer.result().errors()).extracting(ValidationMessage::field)
                .contains("spec.parentRefs[0].namespace");
        var named = apply(seeded(), yaml(services + route.replace("NS", "default")
                .replace("port: PORT}", "sectionName: http}")));
        assertThat(named.result().errors()).as("GEP-1426: sectionName is the port's name").isEmpty();
        var disagree = apply(seeded(), yaml(services + route.replace("NS", "default")
                .replace("port: PORT}", "sectionName: http, port: 9081}")));
        assertThat(disagree.result().errors()).extracting(ValidationMessage::field)
                .contains("spec.parentRefs[0].port");
        var early = apply(seeded(), yaml(route.replace("NS", "default").replace("PORT", "9080")
                .replace("backendRefs: [{name: reviews, namespace: default, port: 9080}]",
                        "backendRefs: [{name: tcp-echo, port: 9000}]")));
        assertThat(early.result().warnings()).extracting(ValidationMessage::field)
                .contains("spec.parentRefs[0].name");
    }

    /**
     * A route's backend in another namespace needs that namespace's ReferenceGrant; taking the grant away while
     * the route uses it is refused, naming the route.
     */
    @Test
    void aCrossNamespaceBackendNeedsAReferenceGrant() throws Exception {
        String route = """
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: team-gw, namespace: team}
                spec:
                  gatewayClassName: kshift
                  listeners: [{name: tcp, protocol: TCP, port: 9400}]
                ---
                apiVersion: gateway.networking.k8s.io/v1alpha2
                kind: TCPRoute
                metadata: {name: r, namespace: team}
                spec:
                  parentRefs: [{name: team-gw}]
                  rules: [{backendRefs: [{name: tcp-echo, namespace: default, port: 9000}]}]
                """;
        String grant = """
                apiVersion: gateway.networking.k8s.io/v1beta1
                kind: ReferenceGrant
                metadata: {name: let-team-in, namespace: default}
                spec:
                  from: [{group: gateway.networking.k8s.io, kind: TCPRoute, namespace: team}]
                  to: [{group: "", kind: Service}]
                """;
        var refused = apply(seeded(), yaml(route));
        assertThat(refused.result().errors()).extracting(ValidationMessage::field)
                .containsExactly("spec.rules[0].backendRefs[0].namespace");
        assertThat(refused.result().errors().get(0).message()).contains("a ReferenceGrant in default must allow"
                + " TCPRoutes from namespace team");
        var otherKind = apply(seeded(), yaml(route + "---\n" + grant.replace("kind: TCPRoute", "kind: HTTPRoute")));
        assertThat(otherKind.result().status()).isEqualTo(ChangeStatus.REJECTED);
        var granted = apply(seeded(), yaml(route + "---\n" + grant));
        assertThat(granted.result().errors()).isEmpty();
        var revoked = validator.decide(granted.next().orElseThrow(), ChangeRequested.of("revoke", Instant.EPOCH,
                Operation.DELETE, yaml(grant), false));
        assertThat(revoked.result().status()).isEqualTo(ChangeStatus.REJECTED);
        assertThat(revoked.result().errors()).extracting(m -> m.resource() + " " + m.field())
                .containsExactly("TCPRoute team/r spec.rules[0].backendRefs[0].namespace");
    }

    /** CORS header values go out as written: a line break in one (header injection) is refused. */
    @Test
    void corsHeaderListsMayNotCarryLineBreaks() throws Exception {
        var d = apply(seeded(), yaml("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web}
                spec:
                  hosts: [tcp-echo]
                  http:
                  - corsPolicy: {allowOrigins: [{exact: 'https://a.example'}], allowHeaders: ["x-a\\r\\nset-cookie: s=1"]}
                    route: [{destination: {host: tcp-echo, subset: v1, port: {number: 9000}}}]
                """));
        assertThat(d.result().status()).isEqualTo(ChangeStatus.REJECTED);
        assertThat(d.result().errors()).extracting(ValidationMessage::field).singleElement()
                .satisfies(f -> assertThat(f).startsWith("spec.http[0].corsPolicy.allowHeaders[0]"));
    }

    @Test
    void aDryRunCarriesTheDiffAgainstTheLiveConfigAndPublishesNothing() throws Exception {
        MeshSnapshot live = seeded();
        var d = validator.decide(live, ChangeRequested.of("dry", Instant.EPOCH, Operation.APPLY,
                file("tcp-echo-20-v2.yaml"), true));
        assertThat(d.result().status()).isEqualTo(ChangeStatus.ACCEPTED);
        assertThat(d.next()).isEmpty();
        assertThat(d.result().generation()).isEqualTo(live.generation());
        assertThat(d.result().resources()).singleElement().satisfies(a -> {
            assertThat(a.action()).isEqualTo(ResourceAction.Action.CONFIGURED);
            assertThat(a.diff()).contains("+      weight: 80", "+        subset: v2", "+      weight: 20");
        });
        var plain = apply(live, file("tcp-echo-20-v2.yaml"));
        assertThat(plain.result().resources()).allSatisfy(a -> assertThat(a.diff()).isNull());
    }

    @Test
    void rejectsRemovingASubsetFromARuleWhileARouteUsesIt() throws Exception {
        var d = apply(seeded(), yaml("""
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: tcp-echo-destination}
                spec:
                  host: tcp-echo
                  subsets: [{name: v2, labels: {version: v2}}]
                """));
        assertThat(d.result().errors()).filteredOn(e -> e.resource().startsWith("DestinationRule")).singleElement()
                .satisfies(e -> {
                    assertThat(e.field()).isEqualTo("spec.subsets");
                    assertThat(e.message()).contains("subset 'v1'", "VirtualService default/tcp-echo spec.tcp[0].route[0]");
                });
    }

    @Test
    void rejectsDeletingAGatewayALiveRouteUses() throws Exception {
        var d = validator.decide(seeded(), ChangeRequested.of("d", Instant.EPOCH, Operation.DELETE,
                yaml("""
                        apiVersion: networking.istio.io/v1
                        kind: Gateway
                        metadata: {name: tcp-echo-gateway}
                        spec: {}
                        """), false));
        assertThat(d.result().status()).isEqualTo(ChangeStatus.REJECTED);
        assertThat(d.result().errors()).filteredOn(e -> e.resource().equals("Gateway default/tcp-echo-gateway"))
                .singleElement().satisfies(e -> assertThat(e.message())
                        .contains("VirtualService default/tcp-echo spec.gateways[0]"));
    }

    @Test
    void rejectsRemovingAListenerATcpRouteUses() throws Exception {
        MeshSnapshot live = accepted(MeshSnapshot.empty(), file("tcp-echo-services.yaml"));
        live = accepted(live, file("gateway-api/tcp-echo-all-v1.yaml"));
        var d = apply(live, yaml("""
                apiVersion: gateway.networking.k8s.io/v1
                kind: Gateway
                metadata: {name: tcp-echo-gateway}
                spec:
                  gatewayClassName: istio
                  listeners: [{name: other, protocol: TCP, port: 31401}]
                """));
        assertThat(d.result().errors()).filteredOn(e -> e.resource().startsWith("Gateway.gateway")).singleElement()
                .satisfies(e -> assertThat(e.message()).contains("listener 'tcp-31400'", "TCPRoute default/tcp-echo"));
    }

    @Test
    void gatewayApiFlavourAttachesBySectionName() throws Exception {
        MeshSnapshot live = accepted(MeshSnapshot.empty(), file("tcp-echo-services.yaml"));
        live = accepted(live, file("gateway-api/tcp-echo-all-v1.yaml"));
        live = accepted(live, file("gateway-api/tcp-echo-20-v2.yaml"));
        var d = apply(live, yaml("""
                apiVersion: gateway.networking.k8s.io/v1alpha2
                kind: TCPRoute
                metadata: {name: tcp-echo}
                spec:
                  parentRefs: [{name: tcp-echo-gateway, sectionName: tcp-9999}]
                  rules:
                  - backendRefs: [{name: tcp-echo-v3, port: 9000}]
                """));
        assertThat(d.result().errors()).extracting(ValidationMessage::field).containsExactlyInAnyOrder(
                "spec.parentRefs[0].sectionName", "spec.rules[0].backendRefs[0].name");
    }

    @Test
    void onePortOneProtocolOneGateway() throws Exception {
        MeshSnapshot live = seeded();
        var d = apply(live, file("gateway-api/tcp-echo-all-v1.yaml"));
        assertThat(d.result().errors()).extracting(e -> e.resource() + " " + e.field()).contains(
                "Gateway.gateway.networking.k8s.io default/tcp-echo-gateway spec.listeners[0]");
    }

    /**
     * Header edits, rewritten authorities and paths go into requests and answers as they are: a line break in one
     * would end the header (or the head) on an HTTP/1 hop, so such config is refused, field by field.
     */
    @Test
    void headerEditsAndRewritesWithLineBreaksAreRefused() throws Exception {
        var d = apply(seeded(), yaml("""
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: edits}
                spec:
                  hosts: [edits.example]
                  http:
                  - headers:
                      request: {set: {x-a: "one\\r\\nx-injected: yes"}, remove: ["bad name"]}
                      response: {add: {"x b": ok}}
                    rewrite: {authority: "host\\r\\nx: y"}
                    route:
                    - destination: {host: tcp-echo}
                  - redirect: {uri: "/moved here"}
                ---
                apiVersion: gateway.networking.k8s.io/v1
                kind: HTTPRoute
                metadata: {name: edits}
                spec:
                  rules:
                  - filters:
                    - type: RequestHeaderModifier
                      requestHeaderModifier: {set: [{name: x-b, value: "two\\nthree"}]}
                    - type: URLRewrite
                      urlRewrite: {path: {type: ReplaceFullPath, replaceFullPath: "/a b"}}
                """));
        assertThat(d.result().status()).isEqualTo(ChangeStatus.REJECTED);
        assertThat(TlsRulesTest.errors(d)).contains(
                "VirtualService default/edits spec.http[0].headers.request.set: header 'x-a': its value must not"
                        + " contain line breaks or other control characters",
                "VirtualService default/edits spec.http[0].headers.request.remove: header name 'bad name' is not a"
                        + " token (letters, digits and !#$%&'*+-.^_`|~ only)",
                "VirtualService default/edits spec.http[0].headers.response.add: header name 'x b' is not a token"
                        + " (letters, digits and !#$%&'*+-.^_`|~ only)",
                "VirtualService default/edits spec.http[0].rewrite.authority: must be a host[:port]: printable ASCII"
                        + " without spaces",
                "VirtualService default/edits spec.http[1].redirect.uri: must be a path: printable ASCII without"
                        + " spaces (percent-encode the rest)",
                "HTTPRoute default/edits spec.rules[0].filters[0].requestHeaderModifier.set[0].value: must not contain"
                        + " line breaks or other control characters",
                "HTTPRoute default/edits spec.rules[0].filters[1].urlRewrite.path.replaceFullPath: must be a path:"
                        + " printable ASCII without spaces (percent-encode the rest)");
    }

    @Test
    void refusesAConfigTooLargeForTheBus() {
        List<Resource> big = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            big.add(Resource.of(io.kshift.model.resource.Kind.WORKLOAD_ENTRY, "default", "w" + i,
                    new io.kshift.model.istio.WorkloadEntrySpec("10.0.0." + i, java.util.Map.of(),
                            java.util.Map.of("app", "big"), null, null, null, "x".repeat(250_000))));
        }
        var d = apply(MeshSnapshot.empty(), big);
        assertThat(d.result().status()).isEqualTo(ChangeStatus.REJECTED);
        assertThat(d.next()).isEmpty();
        assertThat(d.result().errors()).singleElement()
                .satisfies(e -> assertThat(e.message()).contains("a snapshot may be at most"));
    }

    /**
     * The history record is the snapshot and the list of what the change touched: a change touching tens of
     * thousands of resources on a config near the cap would make one the bus refuses, so it is refused first.
     */
    @Test
    void refusesAChangeWhoseHistoryRecordWouldBeTooLargeForTheBus() {
        List<io.kshift.model.event.ResourceAction> many = java.util.stream.IntStream.range(0, 30_000)
                .mapToObj(i -> new io.kshift.model.event.ResourceAction("WorkloadEntry", "default", "workload-" + i,
                        io.kshift.model.event.ResourceAction.Action.CREATED)).toList();
        Findings near = new Findings();
        ChangeValidator.checkHistorySize(8_000_000, many, near);
        assertThat(near.errors()).singleElement().satisfies(e -> assertThat(e.message())
                .contains("history record").contains("30000 resources").contains("apply it in smaller parts"));
        Findings small = new Findings();
        ChangeValidator.checkHistorySize(8_000_000, many.subList(0, 10_000), small);
        assertThat(small.errors()).as("a config near the cap with a change of ordinary size").isEmpty();
        Findings touchedLittle = new Findings();
        ChangeValidator.checkHistorySize(100_000, many, touchedLittle);
        assertThat(touchedLittle.errors()).as("many resources on a small config").isEmpty();
    }

    @Test
    void aRollbackReplacesTheWholeConfigAndIsValidatedLikeAnyChange() throws Exception {
        MeshSnapshot g2 = seeded();
        MeshSnapshot g3 = accepted(g2, file("tcp-echo-20-v2.yaml"));
        var rollback = validator.decide(g3, ChangeRequested.of("r", Instant.EPOCH, Operation.REPLACE, g2.resources(),
                false));
        assertThat(rollback.result().errors()).isEmpty();
        assertThat(rollback.next().orElseThrow().generation()).isEqualTo(4);
        assertThat(rollback.next().orElseThrow().resources()).isEqualTo(g2.resources());
        assertThat(rollback.result().resources()).extracting(a -> a.name() + " " + a.action())
                .containsExactly("tcp-echo CONFIGURED");

        List<Resource> withoutServices = g2.resources().stream()
                .filter(r -> r.type() != io.kshift.model.resource.Kind.WORKLOAD_ENTRY).toList();
        var broken = validator.decide(g3, ChangeRequested.of("b", Instant.EPOCH, Operation.REPLACE, withoutServices,
                false));
        assertThat(broken.result().status()).as("a replace that would 503 is refused too")
                .isEqualTo(ChangeStatus.REJECTED);
    }

    @Test
    void aDryRunDecidesButPublishesNothing() throws Exception {
        var d = validator.decide(seeded(), ChangeRequested.of("x", Instant.EPOCH, Operation.APPLY,
                file("tcp-echo-20-v2.yaml"), true));
        assertThat(d.result().status()).isEqualTo(ChangeStatus.ACCEPTED);
        assertThat(d.result().generation()).isEqualTo(2);
        assertThat(d.next()).isEmpty();
    }
}
