package io.kshift.model.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.codec.BodyFormat;
import io.kshift.model.codec.ResourceReader;
import io.kshift.model.istio.LoadBalancerSettings.SimpleLb;
import io.kshift.model.mesh.MeshConfig;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Several DestinationRules of one namespace for one host are merged as Istio merges them, oldest first. */
class DestinationRuleMergeTest {
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
            """;

    private static MeshConfig apply(MeshConfig config, String yaml, Instant at) throws Exception {
        var parsed = ResourceReader.readBody(yaml.getBytes(StandardCharsets.UTF_8), BodyFormat.YAML);
        assertThat(parsed.errors()).isEmpty();
        return config.apply(parsed.resources(), at).config();
    }

    /** {@code z-old} is older than {@code a-new}, whose name comes first: age decides, not the name. */
    private static MeshConfig twoRules(String older, String younger) throws Exception {
        MeshConfig config = apply(MeshConfig.empty(), SERVICE + "---\n" + older, Instant.parse("2026-01-01T00:00:00Z"));
        return apply(config, younger, Instant.parse("2026-02-01T00:00:00Z"));
    }

    private static String rule(String name, String body) {
        return "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: " + name + "}\n"
                + "spec:\n  host: web\n" + body;
    }

    @Test
    void subsetsOfBothServeAndTheOlderRuleWinsWhereTheyOverlap() throws Exception {
        MeshConfig config = twoRules(rule("z-old", """
                  trafficPolicy: {loadBalancer: {simple: LEAST_REQUEST}}
                  subsets: [{name: v1, labels: {version: v1}}]
                """), rule("a-new", """
                  trafficPolicy: {loadBalancer: {simple: RANDOM}}
                  subsets: [{name: v1, labels: {version: v2}}, {name: v2, labels: {version: v2}}]
                """));
        DestinationResolver resolver = new DestinationResolver(config);
        var v1 = resolver.resolve("web", "v1", null, "default");
        var v2 = resolver.resolve("web", "v2", null, "default");
        assertThat(v1.ok()).isTrue();
        assertThat(v2.ok()).as("a subset only the younger rule defines").isTrue();
        assertThat(v1.destination().endpoints()).extracting(HostPort::host).containsExactly("10.0.0.1");
        assertThat(v2.destination().endpoints()).extracting(HostPort::host).containsExactly("10.0.0.2");
        assertThat(List.of(v1.destination().loadBalancer(), v2.destination().loadBalancer()))
                .containsOnly(SimpleLb.LEAST_REQUEST);
        assertThat(resolver.resolve("web", "v3", null, "default").problem().message())
                .contains("(DestinationRule default/z-old and DestinationRule default/a-new define [v1, v2])");
    }

    @Test
    void theFirstTrafficPolicyAmongThemApplies() throws Exception {
        MeshConfig config = twoRules(rule("z-old", "  subsets: [{name: v1, labels: {version: v1}}]\n"),
                rule("a-new", "  trafficPolicy: {loadBalancer: {simple: RANDOM}}\n"));
        assertThat(new DestinationResolver(config).resolve("web", "v1", null, "default").destination()
                .loadBalancer()).isEqualTo(SimpleLb.RANDOM);
    }
}
