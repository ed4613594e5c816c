package io.kshift.validator.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.event.ChangeRequested;
import io.kshift.model.event.ChangeStatus;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.Operation;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.registry.DestinationResolver;
import io.kshift.model.resource.Resource;
import io.kshift.model.resource.ResourceKey;
import jakarta.validation.Validation;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.Test;

/**
 * The validator checks only what a change can affect (the touched resources; every route when the registry,
 * a DestinationRule or a gateway changed). This holds it to the whole-config rules: over random sequences of
 * edits, a change is accepted exactly when the config it makes passes every rule on every resource.
 */
class IncrementalValidationTest {
    static final jakarta.validation.Validator FIELDS = Validation.byDefaultProvider().configure()
            .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory().getValidator();
    /** Replaced now and then during the walk: a restarted validator starts from the live config it loads. */
    ChangeValidator validator = fresh();

    static ChangeValidator fresh() {
        return new ChangeValidator(FIELDS, Clock.fixed(Instant.parse("2026-12-02T12:00:00Z"), ZoneOffset.UTC));
    }

    static final String BASE = """
            apiVersion: v1
            kind: Service
            metadata: {name: a, namespace: shop}
            spec: {selector: {app: a}, ports: [{name: http, port: 8000}]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: b, namespace: shop}
            spec: {selector: {app: b}, ports: [{name: http, port: 8000}]}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: a-v1, namespace: shop}
            spec: {address: 10.0.0.1, labels: {app: a, version: v1}, ports: {http: 8080}}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: a-v2, namespace: shop}
            spec: {address: 10.0.0.2, labels: {app: a, version: v2}, ports: {http: 8080}}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: b-v1, namespace: shop}
            spec: {address: 10.0.0.3, labels: {app: b, version: v1}, ports: {http: 8080}}
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: a, namespace: shop}
            spec: {host: a, subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]}
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: b, namespace: shop}
            spec: {host: b, subsets: [{name: v1, labels: {version: v1}}]}
            ---
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: web, namespace: shop}
            spec: {servers: [{port: {number: 8088, name: http, protocol: HTTP}, hosts: ["*"]}]}
            ---
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: tcp, namespace: shop}
            spec: {servers: [{port: {number: 31400, name: tcp, protocol: TCP}, hosts: ["*"]}]}
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: a, namespace: shop}
            spec:
              hosts: [a]
              http:
              - route:
                - {destination: {host: a, subset: v1}, weight: 90}
                - {destination: {host: a, subset: v2}, weight: 10}
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: front, namespace: shop}
            spec:
              hosts: [front.example.com]
              gateways: [web]
              http:
              - route:
                - {destination: {host: b, subset: v1}}
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: echo, namespace: shop}
            spec:
              hosts: ["*"]
              gateways: [tcp]
              tcp:
              - route:
                - {destination: {host: b, subset: v1, port: {number: 8000}}}
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: edge, namespace: shop}
            spec:
              gatewayClassName: kshift
              listeners: [{name: http, port: 9090, protocol: HTTP}]
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: r, namespace: shop}
            spec:
              parentRefs: [{name: edge}]
              rules:
              - backendRefs: [{name: a, port: 8000}]
            """;

    /** An edit: an operation on resources. */
    record Edit(String name, Operation operation, List<Resource> resources) {
    }

    static List<Resource> yaml(String text) {
        return io.kshift.model.mesh.SyntheticMesh.parse(text);
    }

    static Resource base(String kind, String name) {
        return yaml(BASE).stream().filter(r -> r.kind().equals(kind) && r.name().equals(name)).findFirst()
                .orElseThrow();
    }

    static Edit delete(String kind, String name) {
        return new Edit("delete " + kind + " " + name, Operation.DELETE, List.of(base(kind, name)));
    }

    static Edit apply(String name, String yaml) {
        return new Edit(name, Operation.APPLY, yaml(yaml));
    }

    static final String SHADOW = """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: shadow, namespace: shop}
            spec:
              hosts: [a]
              ports: [{number: 8000, name: http, protocol: HTTP}]
              resolution: STATIC
              endpoints: [{address: 10.0.0.9}]
            """;

    static Edit restore(String kind, String name) {
        return new Edit("restore " + kind + " " + name, Operation.APPLY, List.of(base(kind, name)));
    }

    static final String VS_A = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: a, namespace: shop}
            spec:
              hosts: [a]
              http:
              - route:
                - {destination: {host: a, subset: %s}, weight: %d}
                - {destination: {host: a, subset: v2}, weight: %d}
            """;

    final List<Edit> edits = List.of(
            delete("WorkloadEntry", "a-v2"), delete("WorkloadEntry", "b-v1"), delete("Service", "b"),
            delete("Service", "a"), delete("DestinationRule", "a"), delete("Gateway", "web"), delete("Gateway", "tcp"),
            delete("VirtualService", "a"), delete("VirtualService", "front"), delete("VirtualService", "echo"),
            delete("HTTPRoute", "r"),
            apply("a 50/50", VS_A.formatted("v1", 50, 50)), apply("a to a missing subset", VS_A.formatted("v3", 50, 50)),
            apply("a-v2 relabelled v3", """
                    apiVersion: networking.istio.io/v1
                    kind: WorkloadEntry
                    metadata: {name: a-v2, namespace: shop}
                    spec: {address: 10.0.0.2, labels: {app: a, version: v3}, ports: {http: 8080}}
                    """),
            apply("DR a without v2", """
                    apiVersion: networking.istio.io/v1
                    kind: DestinationRule
                    metadata: {name: a, namespace: shop}
                    spec: {host: a, subsets: [{name: v1, labels: {version: v1}}]}
                    """),
            apply("DR a with v3", """
                    apiVersion: networking.istio.io/v1
                    kind: DestinationRule
                    metadata: {name: a, namespace: shop}
                    spec: {host: a, subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}},
                      {name: v3, labels: {version: v3}}]}
                    """),
            apply("Service a on 8001", """
                    apiVersion: v1
                    kind: Service
                    metadata: {name: a, namespace: shop}
                    spec: {selector: {app: a}, ports: [{name: http, port: 8001}]}
                    """),
            apply("Service b selects nothing", """
                    apiVersion: v1
                    kind: Service
                    metadata: {name: b, namespace: shop}
                    spec: {selector: {app: nobody}, ports: [{name: http, port: 8000}]}
                    """),
            apply("web gateway on TCP", """
                    apiVersion: networking.istio.io/v1
                    kind: Gateway
                    metadata: {name: web, namespace: shop}
                    spec: {servers: [{port: {number: 8088, name: tcp, protocol: TCP}, hosts: ["*"]}]}
                    """),
            apply("edge without its listener", """
                    apiVersion: gateway.networking.k8s.io/v1
                    kind: Gateway
                    metadata: {name: edge, namespace: shop}
                    spec:
                      gatewayClassName: kshift
                      listeners: [{name: other, port: 9091, protocol: HTTP}]
                    """),
            apply("a second TCP route on 31400", """
                    apiVersion: networking.istio.io/v1
                    kind: VirtualService
                    metadata: {name: echo-2, namespace: shop}
                    spec:
                      hosts: ["*"]
                      gateways: [tcp]
                      tcp:
                      - route:
                        - {destination: {host: a, subset: v1, port: {number: 8000}}}
                    """),
            apply("a new workload for b", """
                    apiVersion: networking.istio.io/v1
                    kind: WorkloadEntry
                    metadata: {name: b-v1-2, namespace: shop}
                    spec: {address: 10.0.0.4, labels: {app: b, version: v1}, ports: {http: 8080}}
                    """),
            restore("WorkloadEntry", "a-v2"), restore("WorkloadEntry", "b-v1"), restore("Service", "a"),
            restore("Service", "b"), restore("DestinationRule", "a"), restore("Gateway", "web"),
            restore("Gateway", "tcp"), restore("VirtualService", "a"), restore("VirtualService", "front"),
            restore("VirtualService", "echo"), restore("HTTPRoute", "r"), restore("Gateway", "edge"),
            // A ServiceEntry for host "a" shadows Service a for the short name: a's subsets then select nothing.
            apply("a ServiceEntry shadowing a", SHADOW),
            new Edit("delete the shadowing ServiceEntry", Operation.DELETE, yaml(SHADOW)),
            new Edit("roll back to the base", Operation.REPLACE, yaml(BASE)));

    /** Every rule over every resource of {@code next}, as if the whole config had been submitted. */
    static List<String> wholeConfigErrors(MeshConfig live, MeshConfig next) {
        Findings findings = new Findings();
        DestinationResolver resolver = new DestinationResolver(next);
        TreeSet<ResourceKey> all = new TreeSet<>();
        next.all().forEach(r -> all.add(r.key()));
        ChangeValidator.validate(next, resolver, true, true, all, EgressPolicy.defaults(), findings);
        InUseRules.check(live, next, live.changedKeys(next), resolver, findings);
        return findings.errors().stream().map(m -> m.resource() + " " + m.field() + ": " + m.message()).toList();
    }

    @Test
    void overRandomEditsAChangeIsAcceptedExactlyWhenTheWholeConfigItMakesIsValid() {
        MeshSnapshot live = decide(MeshSnapshot.empty(), new Edit("base", Operation.APPLY, yaml(BASE))).next()
                .orElseThrow();
        Random random = new Random(20261202);
        int accepted = 0;
        int rejected = 0;
        List<String> log = new ArrayList<>();
        for (int step = 0; step < 400; step++) {
            Edit edit = edits.get(random.nextInt(edits.size()));
            MeshConfig before = MeshConfig.of(live.resources());
            MeshConfig next = switch (edit.operation()) {
                case DELETE -> before.delete(edit.resources()).config();
                case REPLACE -> before.replaceWith(edit.resources()).config();
                default -> before.apply(edit.resources()).config();
            };
            if (step % 37 == 36) {
                validator = fresh();
            }
            List<String> whole = wholeConfigErrors(before, next);
            ChangeValidator.Decision decision = decide(live, edit);
            boolean ok = decision.result().status() == ChangeStatus.ACCEPTED;
            log.add(step + " " + edit.name() + ": " + (ok ? "accepted" : "rejected " + decision.result().errors()));
            assertThat(ok).as("step %d, %s; whole-config errors %s; so far %s", step, edit.name(), whole, log)
                    .isEqualTo(whole.isEmpty());
            if (ok) {
                accepted++;
                live = decision.next().orElse(live);
            } else {
                rejected++;
            }
        }
        // The walk covers both answers often, so the comparison above says something either way.
        assertThat(accepted).isGreaterThan(50);
        assertThat(rejected).isGreaterThan(50);
    }

    ChangeValidator.Decision decide(MeshSnapshot live, Edit edit) {
        return validator.decide(live, ChangeRequested.of("c", Instant.EPOCH, edit.operation(), edit.resources(), false));
    }
}
