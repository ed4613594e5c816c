package io.kshift.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kshift.model.event.MeshTopics;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml and deploy/kubernetes checked against each other and against the code: the images are the
 * ones the build writes, every environment variable lands on a property the service reads, the topics are
 * MeshTopics', Service selectors select a Deployment, and ports and probes are the services' own.
 */
class ManifestsTest {
    /** Image (without tag) to the module whose configuration it runs. */
    private static final Map<String, String> MODULES = Map.of("kshift/config-service", "config-service",
            "kshift/validator-service", "validator-service", "kshift/telemetry-service", "telemetry-service",
            "kshift/proxy-service", "proxy-service", "kshift/registry-adapter", "registry-adapter");
    private static final Set<String> THIRD_PARTY = Set.of("apache/kafka", "haproxy", "curlimages/curl");

    private final JsonNode compose = Repo.yaml(Repo.path("docker-compose.yml"));
    private final List<ObjectNode> kube = Repo.kustomization(Repo.path("deploy/kubernetes/base"));

    @Test
    void everyKshiftImageIsOneTheBuildWrites() {
        List<String> images = new ArrayList<>();
        compose.path("services").forEach(s -> images.add(s.path("image").asText()));
        containers().forEach(c -> images.add(c.path("image").asText()));

        assertThat(images).isNotEmpty().allSatisfy(image -> {
            String repo = image.substring(0, image.lastIndexOf(':'));
            if (!THIRD_PARTY.contains(repo)) {
                assertThat(ImagesTest.built()).as("images the build writes").contains(image);
            }
        });
        assertThat(images).as("every built image is deployed somewhere").containsAll(ImagesTest.built());
    }

    @Test
    void everyEnvironmentVariableIsOneTheServiceReads() {
        Map<String, JsonNode> configMaps = new HashMap<>();
        kube.stream().filter(o -> o.path("kind").asText().equals("ConfigMap"))
                .forEach(o -> configMaps.put(o.path("metadata").path("name").asText(), o.path("data")));
        int checked = 0;
        for (JsonNode c : containers()) {
            String module = MODULES.get(repo(c.path("image").asText()));
            if (module == null) {
                continue;
            }
            ServiceConfig config = ServiceConfig.of(module);
            List<String> vars = new ArrayList<>();
            c.path("env").forEach(e -> vars.add(e.path("name").asText()));
            c.path("envFrom").forEach(ref -> {
                String name = ref.path("configMapRef").path("name").asText();
                assertThat(configMaps).as("ConfigMap " + name).containsKey(name);
                configMaps.get(name).fieldNames().forEachRemaining(vars::add);
            });
            for (String var : vars) {
                assertThat(config.reads(var)).as(module + " reads " + var).isTrue();
                checked++;
            }
        }
        var services = compose.path("services").fields();
        while (services.hasNext()) {
            var s = services.next();
            String module = MODULES.get(repo(s.getValue().path("image").asText()));
            // kafka-init runs another main class (BusSetup) from the config-service image, not the service.
            if (module != null && s.getValue().path("entrypoint").isMissingNode()) {
                ServiceConfig config = ServiceConfig.of(module);
                s.getValue().path("environment").fieldNames().forEachRemaining(var ->
                        assertThat(config.reads(var)).as("compose " + s.getKey() + ": " + var).isTrue());
            }
        }
        assertThat(checked).isGreaterThan(5);
    }

    @Test
    void topicsAreMeshTopicsEverywhere() throws IOException {
        Map<String, String> expected = new TreeMap<>();
        for (NewTopic t : MeshTopics.all()) {
            expected.put(t.name(), t.numPartitions() + " " + new TreeMap<>(t.configs()));
        }
        // Compose's kafka-init runs BusSetup, which creates MeshTopics.all() itself: nothing to drift there.
        assertThat(compose.path("services").path("kafka-init").path("entrypoint").toString())
                .contains(io.kshift.model.bus.BusSetup.class.getName());
        Map<String, String> strimzi = new TreeMap<>();
        kube.stream().filter(o -> o.path("kind").asText().equals("KafkaTopic")).forEach(t -> {
            Map<String, String> configs = new TreeMap<>();
            t.path("spec").path("config").fields().forEachRemaining(e -> configs.put(e.getKey(), e.getValue().asText()));
            strimzi.put(t.path("metadata").path("name").asText(),
                    t.path("spec").path("partitions").asInt() + " " + configs);
            assertThat(t.path("metadata").path("labels").path("strimzi.io/cluster").asText()).isEqualTo("kshift");
        });

        assertThat(strimzi).isEqualTo(expected);
    }

    @Test
    void everyServiceSelectsADeploymentAndTargetsOneOfItsPorts() {
        List<ObjectNode> deployments = kube.stream().filter(o -> o.path("kind").asText().equals("Deployment"))
                .toList();
        List<ObjectNode> services = kube.stream().filter(o -> o.path("kind").asText().equals("Service")).toList();
        assertThat(services).hasSizeGreaterThanOrEqualTo(7);
        for (ObjectNode s : services) {
            String name = s.path("metadata").path("namespace").asText() + "/" + s.path("metadata").path("name").asText();
            Map<String, String> selector = strings(s.path("spec").path("selector"));
            List<ObjectNode> selected = deployments.stream()
                    .filter(d -> d.path("metadata").path("namespace").equals(s.path("metadata").path("namespace")))
                    .filter(d -> strings(d.path("spec").path("template").path("metadata").path("labels")).entrySet()
                            .containsAll(selector.entrySet()))
                    .toList();
            assertThat(selected).as("Deployments that Service " + name + " selects").isNotEmpty();
            for (JsonNode port : s.path("spec").path("ports")) {
                JsonNode target = port.has("targetPort") ? port.path("targetPort") : port.path("port");
                for (ObjectNode d : selected) {
                    List<JsonNode> ports = new ArrayList<>();
                    d.path("spec").path("template").path("spec").path("containers").forEach(c ->
                            c.path("ports").forEach(ports::add));
                    assertThat(ports).as(name + " port " + target + " on " + d.path("metadata").path("name"))
                            .anyMatch(p -> target.isInt() ? p.path("containerPort").asInt() == target.asInt()
                                    : p.path("name").asText().equals(target.asText()));
                }
            }
        }
        for (ObjectNode hpa : kube.stream().filter(o -> o.path("kind").asText().equals("HorizontalPodAutoscaler"))
                .toList()) {
            JsonNode target = hpa.path("spec").path("scaleTargetRef");
            assertThat(deployments).as("the Deployment HPA " + hpa.path("metadata").path("name") + " scales")
                    .anyMatch(d -> d.path("metadata").path("name").equals(target.path("name"))
                            && d.path("metadata").path("namespace").equals(hpa.path("metadata").path("namespace")));
        }
        for (ObjectNode pdb : kube.stream().filter(o -> o.path("kind").asText().equals("PodDisruptionBudget"))
                .toList()) {
            Map<String, String> selector = strings(pdb.path("spec").path("selector").path("matchLabels"));
            assertThat(deployments).as("pods PodDisruptionBudget " + pdb.path("metadata").path("name") + " covers")
                    .anyMatch(d -> strings(d.path("spec").path("template").path("metadata").path("labels"))
                            .entrySet().containsAll(selector.entrySet()));
        }
        for (ObjectNode d : deployments) {
            assertThat(strings(d.path("spec").path("template").path("metadata").path("labels")).entrySet())
                    .as("Deployment " + d.path("metadata").path("name") + " selects its own pods")
                    .containsAll(strings(d.path("spec").path("selector").path("matchLabels")).entrySet());
        }
    }

    @Test
    void probesAndPortsAreTheServicesOwn() {
        int probed = 0;
        for (JsonNode c : containers()) {
            String module = MODULES.get(repo(c.path("image").asText()));
            if (module == null) {
                continue;
            }
            int httpPort = ServiceConfig.of(module).httpPort();
            Map<String, Integer> ports = new HashMap<>();
            c.path("ports").forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").asInt()));
            assertThat(ports).as(module + " container ports").containsValue(httpPort);
            for (String probe : List.of("readinessProbe", "livenessProbe")) {
                JsonNode get = c.path(probe).path("httpGet");
                assertThat(get.path("path").asText()).as(module + " " + probe)
                        .isEqualTo(probe.startsWith("readiness") ? "/q/health/ready" : "/q/health/live");
                JsonNode port = get.path("port");
                assertThat(port.isInt() ? port.asInt() : ports.get(port.asText())).as(module + " " + probe + " port")
                        .isEqualTo(httpPort);
                probed++;
            }
        }
        assertThat(probed).isEqualTo(2 * MODULES.size());

        var services = compose.path("services").fields();
        while (services.hasNext()) {
            var s = services.next();
            String module = MODULES.get(repo(s.getValue().path("image").asText()));
            if (module == null || !s.getValue().path("entrypoint").isMissingNode()) {
                continue; // not a kshift service, or a one-shot step from its image (kafka-init)
            }
            List<String> test = new ArrayList<>();
            s.getValue().path("healthcheck").path("test").forEach(t -> test.add(t.asText()));
            assertThat(test).as("compose " + s.getKey() + " health check")
                    .contains("io.kshift.images.HealthCheck", "http://localhost:" + ServiceConfig.of(module).httpPort()
                            + "/q/health/ready");
        }
    }

    @Test
    void theComposeFrontReachesEveryProxyByItsPorts() throws IOException {
        String haproxy = Files.readString(Repo.path("deploy/compose/haproxy.cfg"));
        int admin = ServiceConfig.of("proxy-service").httpPort();
        assertThat(haproxy).contains("check port " + admin, "option httpchk GET /q/health/ready");
        List<String> published = new ArrayList<>();
        compose.path("services").path("front").path("ports").forEach(p -> published.add(p.asText()));
        for (String mapping : published) {
            String port = mapping.substring(mapping.lastIndexOf(':') + 1);
            assertThat(haproxy).contains("bind :" + port);
            assertThat(haproxy).as("a backend on the proxies' " + port).contains("proxy:" + port);
        }
        assertThat(compose.path("services").path("proxy").has("ports"))
                .as("scaled proxies publish nothing themselves").isFalse();
        assertThat(compose.path("services").path("validator-service").path("deploy").path("replicas").asInt())
                .isEqualTo(2);
    }

    private List<JsonNode> containers() {
        return kube.stream().filter(o -> o.path("kind").asText().equals("Deployment"))
                .flatMap(d -> {
                    List<JsonNode> out = new ArrayList<>();
                    d.path("spec").path("template").path("spec").path("containers").forEach(out::add);
                    return out.stream();
                }).toList();
    }

    private static String repo(String image) {
        return image.contains(":") ? image.substring(0, image.lastIndexOf(':')) : image;
    }

    private static Map<String, String> strings(JsonNode node) {
        Map<String, String> out = new TreeMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

}
