package io.kshift.validator.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.event.ChangeRequested;
import io.kshift.model.event.ChangeStatus;
import io.kshift.model.event.MeshSnapshot;
import io.kshift.model.event.Operation;
import io.kshift.model.mesh.MeshConfig;
import io.kshift.model.resource.Resource;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The validator over fuzzed changes: edits built from templates whose names, hosts, paths, regexes, ports and
 * weights the fuzzer chooses, applied and deleted in any order on a valid mesh. {@code decide} never throws, and a
 * change is accepted exactly when its resources pass the field rules and the config it makes passes every rule
 * on every resource ({@link IncrementalValidationTest#wholeConfigErrors}). In a build this runs its saved
 * inputs; {@code JAZZER_FUZZ=1} fuzzes it (README, Tests).
 */
class ChangeValidatorFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MeshSnapshot BASE = new IncrementalValidationTest().decide(MeshSnapshot.empty(),
            new IncrementalValidationTest.Edit("base", Operation.APPLY,
                    IncrementalValidationTest.yaml(IncrementalValidationTest.BASE))).next().orElseThrow();

    private static final String[] TEMPLATES = {
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: a, namespace: shop}
        spec:
          hosts: [%1$s]
          gateways: [%2$s]
          exportTo: [%3$s]
          http:
          - match: [{uri: {prefix: %4$s}}, {headers: {x: {regex: %5$s}}}]
            rewrite: {uri: %6$s}
            route:
            - {destination: {host: %7$s, subset: %8$s}, weight: %9$s}
            - {destination: {host: a, subset: v2}, weight: %10$s}
        """,
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: a, namespace: shop}
        spec:
          host: %1$s
          exportTo: [%3$s]
          subsets: [{name: %8$s, labels: {version: %2$s}}, {name: v2, labels: {version: v2}}]
        """,
        """
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: %1$s, namespace: shop}
        spec: {address: %2$s, labels: {app: a, version: %8$s}, ports: {http: %9$s}}
        """,
        """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: web, namespace: shop}
        spec:
          selector: {istio: ingressgateway}
          servers: [{port: {number: %9$s, name: http, protocol: %2$s}, hosts: [%1$s]}]
        """,
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: r, namespace: shop}
        spec:
          parentRefs: [{name: %2$s}, {group: "", kind: Service, name: %7$s, port: %10$s}]
          hostnames: [%1$s]
          rules:
          - matches: [{path: {type: %3$s, value: %4$s}}]
            backendRefs: [{name: %7$s, port: %9$s, weight: %10$s}]
        """,
        """
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: %8$s, namespace: shop}
        spec:
          workloadSelector: {labels: {app: %2$s}}
          egress: [{hosts: [%1$s, %3$s]}]
        """,
        """
        apiVersion: v1
        kind: Service
        metadata: {name: %7$s, namespace: shop, annotations: {networking.istio.io/exportTo: %3$s}}
        spec: {selector: {app: a}, ports: [{name: %8$s, port: %9$s}]}
        """,
    };

    private static final String[] WORDS = {"a", "b", "v1", "v2", "v3", "web", "edge", "mesh", "*", ".", "~",
        "shop", "istio-system", "/", "/api", "HTTP", "TCP", "PathPrefix", "Exact", "RegularExpression", "10.0.0.3",
        "front.example.com", "*.example.com", "a.shop.svc.cluster.local", "./*", "*/*", "(.*a){12}", "[", ""};

    @FuzzTest(maxDuration = "30s")
    void decideNeverThrowsAndAcceptsExactlyWhatTheWholeConfigAllows(FuzzedDataProvider data) throws Exception {
        ChangeValidator validator = IncrementalValidationTest.fresh();
        FieldRules fields = new FieldRules(IncrementalValidationTest.FIELDS);
        MeshSnapshot live = BASE;
        for (int step = 0; step < 6 && data.remainingBytes() > 0; step++) {
            String yaml = TEMPLATES[data.consumeInt(0, TEMPLATES.length - 1)].formatted(value(data), value(data),
                    value(data), value(data), value(data), value(data), value(data), value(data), number(data),
                    number(data));
            ResourceReader.Parsed parsed;
            try {
                parsed = ResourceReader.readBody(yaml.getBytes(StandardCharsets.UTF_8), BodyFormat.YAML);
            } catch (io.kshift.model.codec.BodySyntaxException refused) {
                continue; // a scalar YAML does not allow (a control character): refused as a 400
            }
            if (!parsed.errors().isEmpty() || parsed.resources().isEmpty()) {
                continue; // the API refuses it before any validator sees it
            }
            Operation operation = data.consumeBoolean() ? Operation.APPLY : Operation.DELETE;
            List<Resource> resources = parsed.resources();
            MeshConfig before = MeshConfig.of(live.resources());
            MeshConfig next = operation == Operation.DELETE ? before.delete(resources).config()
                    : before.apply(resources).config();
            Findings fieldFindings = new Findings();
            if (operation == Operation.APPLY) {
                resources.forEach(r -> fields.check(r, fieldFindings));
            }
            List<String> expected = new ArrayList<>(fieldFindings.errors().stream().map(Object::toString).toList());
            if (expected.isEmpty()) {
                expected.addAll(IncrementalValidationTest.wholeConfigErrors(before, next));
            }
            var decision = validator.decide(live, ChangeRequested.of("f" + step, Instant.EPOCH, operation, resources,
                    false));
            boolean accepted = decision.result().status() == ChangeStatus.ACCEPTED;
            assertThat(accepted).as("%s of %s; expected errors %s; the validator's %s", operation, yaml, expected,
                    decision.result().errors()).isEqualTo(expected.isEmpty());
            if (accepted) {
                live = decision.next().orElse(live);
            }
        }
    }

    /** A word the templates know, or a string of the fuzzer's, as a YAML scalar (JSON-quoted: never breaks YAML). */
    private static String value(FuzzedDataProvider data) throws Exception {
        String v = data.consumeBoolean() ? WORDS[data.consumeInt(0, WORDS.length - 1)] : data.consumeString(24);
        return JSON.writeValueAsString(v);
    }

    private static String number(FuzzedDataProvider data) {
        return switch (data.consumeInt(0, 3)) {
            case 0 -> "8000";
            case 1 -> "80";
            case 2 -> Integer.toString(data.consumeInt(-1, 70000));
            default -> "0";
        };
    }
}
