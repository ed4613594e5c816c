package io.kshift.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The deploys are closed by default: pods locked down, the kshift namespace denying all traffic but what each
 * service needs, the registry adapter reading only what it watches, the APIs verifying tokens with a mounted key,
 * and compose publishing only the gateways beyond loopback.
 */
class HardeningTest {
    private final JsonNode compose = Repo.yaml(Repo.path("docker-compose.yml"));
    private final List<ObjectNode> kube = Repo.kustomization(Repo.path("deploy/kubernetes/base"));

    @Test
    void everyPodIsLockedDown() {
        List<String> withToken = new ArrayList<>();
        for (JsonNode d : kinds("Deployment")) {
            String name = d.path("metadata").path("name").asText();
            JsonNode pod = d.path("spec").path("template").path("spec");
            if (pod.path("automountServiceAccountToken").asBoolean(true)) {
                withToken.add(name);
            }
            assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).as(name).isTrue();
            assertThat(pod.path("securityContext").path("seccompProfile").path("type").asText()).as(name)
                    .isEqualTo("RuntimeDefault");
            Map<String, JsonNode> volumes = new HashMap<>();
            pod.path("volumes").forEach(v -> volumes.put(v.path("name").asText(), v));
            for (JsonNode c : pod.path("containers")) {
                JsonNode sc = c.path("securityContext");
                String what = name + "/" + c.path("name").asText();
                assertThat(sc.path("allowPrivilegeEscalation").asBoolean(true)).as(what).isFalse();
                assertThat(sc.path("readOnlyRootFilesystem").asBoolean()).as(what).isTrue();
                assertThat(texts(sc.path("capabilities").path("drop"))).as(what).contains("ALL");
                assertThat(texts(sc.path("capabilities").path("add"))).as(what).isEmpty();
                JsonNode tmp = mount(c, "/tmp");
                assertThat(tmp).as(what + " writes /tmp on a volume").isNotNull();
                assertThat(volumes.get(tmp.path("name").asText()).has("emptyDir")).as(what).isTrue();
            }
        }
        assertThat(withToken).as("only the pod that uses the Kubernetes API gets a token")
                .containsExactly("registry-adapter");
    }

    @Test
    void theNamespaceDeniesByDefaultAndEachServiceHasItsAllows() {
        List<JsonNode> policies = kinds("NetworkPolicy");
        assertThat(policies).anySatisfy(p -> {
            assertThat(p.path("spec").path("podSelector").size()).isZero();
            assertThat(texts(p.path("spec").path("policyTypes"))).containsExactlyInAnyOrder("Ingress", "Egress");
            assertThat(p.path("spec").has("ingress") || p.path("spec").has("egress")).isFalse();
        });
        for (JsonNode d : kinds("Deployment")) {
            if (!d.path("metadata").path("namespace").asText().equals("kshift")) {
                continue;
            }
            String name = d.path("metadata").path("name").asText();
            JsonNode labels = d.path("spec").path("template").path("metadata").path("labels");
            List<JsonNode> mine = policies.stream().filter(p -> selects(p.path("spec").path("podSelector"), labels))
                    .toList();
            assertThat(mine.stream().flatMap(p -> list(p.path("spec").path("egress")).stream())
                    .filter(rule -> ports(rule).contains(KafkaSecurityTest.listenerPort())).toList())
                    .as(name + " reaches Kafka's client listener").isNotEmpty();
            for (JsonNode c : d.path("spec").path("template").path("spec").path("containers")) {
                for (JsonNode port : c.path("ports")) {
                    int number = port.path("containerPort").asInt();
                    boolean probeOnly = name.equals("validator-service") || name.equals("registry-adapter");
                    if (!probeOnly) {
                        assertThat(mine.stream().flatMap(p -> list(p.path("spec").path("ingress")).stream())
                                .filter(rule -> ports(rule).contains(number)).toList())
                                .as(name + " may be reached on " + number).isNotEmpty();
                    }
                }
            }
        }
        JsonNode proxy = policies.stream().filter(p -> p.path("metadata").path("name").asText().equals("proxy"))
                .findFirst().orElseThrow();
        assertThat(proxy.toString()).as("no proxy egress to cloud metadata").contains("169.254.0.0/16");
    }

    @Test
    void theRegistryAdapterMayOnlyListAndWatchWhatItWatches() {
        JsonNode role = kinds("ClusterRole").stream().filter(r -> r.path("metadata").path("name").asText()
                .equals("kshift-registry-adapter")).findFirst().orElseThrow();
        for (JsonNode rule : role.path("rules")) {
            assertThat(texts(rule.path("verbs"))).containsExactlyInAnyOrder("list", "watch");
            assertThat(Set.of("services", "pods", "endpointslices")).containsAll(texts(rule.path("resources")));
        }
    }

    @Test
    void theApisVerifyTokensWithAMountedKey() throws IOException {
        for (String module : List.of("config-service", "telemetry-service", "proxy-service")) {
            String properties = Files.readString(Repo.path(module + "/src/main/resources/application.properties"));
            assertThat(properties).contains("mp.jwt.verify.publickey.location=${KSHIFT_JWT_VERIFY_KEY:"
                    + "/etc/kshift/jwt/jwt-verify.pem}", "quarkus.http.auth.permission.api.policy=authenticated");
        }
        for (JsonNode d : kinds("Deployment")) {
            String name = d.path("metadata").path("name").asText();
            if (!Set.of("config-service", "telemetry-service", "proxy").contains(name)) {
                continue;
            }
            JsonNode pod = d.path("spec").path("template").path("spec");
            JsonNode jwt = mount(pod.path("containers").get(0), "/etc/kshift/jwt");
            assertThat(jwt).as(name + " mounts the verification key").isNotNull();
            assertThat(list(pod.path("volumes")).stream().filter(v -> v.path("name").equals(jwt.path("name")))
                    .findFirst().orElseThrow().path("secret").path("secretName").asText()).isEqualTo("kshift-jwt");
        }
        for (String service : List.of("config-service", "telemetry-service", "proxy")) {
            assertThat(compose.path("services").path(service).path("volumes").toString()).as("compose " + service)
                    .contains("/etc/kshift/jwt/jwt-verify.pem");
        }
    }

    @Test
    void composePublishesOnlyTheGatewaysBeyondLoopback() {
        Set<String> open = new HashSet<>();
        compose.path("services").fields().forEachRemaining(s -> s.getValue().path("ports").forEach(p -> {
            String mapping = p.asText();
            if (!mapping.startsWith("127.0.0.1:")) {
                open.add(s.getKey());
            }
        }));
        assertThat(open).containsExactly("front");
    }

    private List<JsonNode> kinds(String kind) {
        return kube.stream().filter(o -> o.path("kind").asText().equals(kind)).map(o -> (JsonNode) o).toList();
    }

    private static JsonNode mount(JsonNode container, String path) {
        for (JsonNode m : container.path("volumeMounts")) {
            if (m.path("mountPath").asText().equals(path)) {
                return m;
            }
        }
        return null;
    }

    /** matchLabels only (the manifests use nothing else); an empty selector selects every pod. */
    private static boolean selects(JsonNode selector, JsonNode labels) {
        var it = selector.path("matchLabels").fields();
        while (it.hasNext()) {
            var e = it.next();
            if (!labels.path(e.getKey()).asText().equals(e.getValue().asText())) {
                return false;
            }
        }
        return true;
    }

    private static Set<Integer> ports(JsonNode rule) {
        Set<Integer> out = new HashSet<>();
        rule.path("ports").forEach(p -> out.add(p.path("port").asInt()));
        return out;
    }

    private static List<JsonNode> list(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
