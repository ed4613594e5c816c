package io.kshift.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The overlays render with kustomize itself (kubectl's built-in one) and the local overlay changes what it says
 * it changes. Skipped where kubectl is not installed; ManifestsTest checks the base without it.
 */
class KustomizeRenderTest {
    @Test
    void theLocalOverlayRendersForOneMachine() throws Exception {
        List<JsonNode> local = render("deploy/kubernetes/overlays/local");
        List<JsonNode> base = render("deploy/kubernetes/base");

        assertThat(local).hasSameSizeAs(base);
        assertThat(of(local, "KafkaNodePool", "dual-role").path("spec").path("replicas").asInt()).isEqualTo(1);
        assertThat(of(local, "KafkaTopic", "kshift.config").path("spec").path("replicas").asInt()).isEqualTo(1);
        assertThat(of(local, "Kafka", "kshift").path("spec").path("kafka").path("config")
                .path("min.insync.replicas").asInt()).isEqualTo(1);
        assertThat(of(local, "Kafka", "kshift").path("spec").path("kafka").path("listeners").get(0)
                .path("authentication").path("type").asText()).as("the bus stays closed on one machine")
                .isEqualTo("scram-sha-512");
        assertThat(of(local, "KafkaUser", "kshift-proxy").path("metadata").path("namespace").asText())
                .isEqualTo("kshift");
        assertThat(of(local, "Service", "proxy").path("spec").path("type").asText()).isEqualTo("NodePort");
        assertThat(of(base, "Service", "proxy").path("spec").path("type").asText()).isEqualTo("LoadBalancer");
        assertThat(local).filteredOn(o -> o.path("kind").asText().equals("Deployment"))
                .allSatisfy(d -> assertThat(d.path("spec").path("template").path("spec").path("containers").get(0)
                        .path("imagePullPolicy").asText()).isEqualTo("Never"));
        assertThat(of(local, "Deployment", "proxy").path("metadata").path("namespace").asText()).isEqualTo("kshift");
        assertThat(of(local, "Deployment", "tcp-echo-v1").path("metadata").path("namespace").asText())
                .isEqualTo("default");
    }

    private static JsonNode of(List<JsonNode> objects, String kind, String name) {
        return objects.stream().filter(o -> o.path("kind").asText().equals(kind)
                && o.path("metadata").path("name").asText().equals(name)).findFirst().orElseThrow();
    }

    private static List<JsonNode> render(String dir) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("kubectl", "kustomize", Repo.path(dir).toString()).redirectErrorStream(false)
                    .start();
        } catch (java.io.IOException e) {
            assumeTrue(false, "kubectl is not installed: " + e.getMessage());
            throw e;
        }
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("kubectl kustomize " + dir + ": " + err).isZero();
        Path rendered = Files.createTempFile("kustomize-", ".yaml");
        try {
            Files.write(rendered, out);
            return new ArrayList<>(Repo.yamlDocuments(rendered));
        } finally {
            Files.delete(rendered);
        }
    }
}
