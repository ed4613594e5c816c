package io.kshift.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kshift.model.bus.MeshAcls;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.acl.AclBinding;
import org.junit.jupiter.api.Test;

/**
 * The bus is closed on Kubernetes: Strimzi's one client listener takes TLS with SCRAM logins only, its authorizer
 * is on, each kshift principal's KafkaUser holds exactly the ACLs {@link MeshAcls} grants it (the definition the
 * local broker applies too), and every Deployment logs in as its own principal and trusts the cluster CA.
 */
class KafkaSecurityTest {
    /** Image (without tag) to the Kafka principal the service logs in as. */
    private static final Map<String, String> PRINCIPALS = Map.of(
            "kshift/config-service", MeshAcls.CONFIG_SERVICE, "kshift/validator-service", MeshAcls.VALIDATOR,
            "kshift/proxy-service", MeshAcls.PROXY, "kshift/telemetry-service", MeshAcls.TELEMETRY,
            "kshift/registry-adapter", MeshAcls.REGISTRY);

    private final List<ObjectNode> kube = Repo.kustomization(Repo.path("deploy/kubernetes/base"));

    @Test
    void theOnlyListenerTakesTlsAndScramAndTheAuthorizerIsOn() {
        JsonNode kafka = only("Kafka").path("spec");
        JsonNode listeners = kafka.path("kafka").path("listeners");
        assertThat(listeners.size()).isOne();
        assertThat(listeners.get(0).path("tls").asBoolean()).as("TLS").isTrue();
        assertThat(listeners.get(0).path("authentication").path("type").asText()).isEqualTo("scram-sha-512");
        assertThat(kafka.path("kafka").path("authorization").path("type").asText()).isEqualTo("simple");
        assertThat(kafka.path("entityOperator").has("userOperator")).as("KafkaUsers are reconciled").isTrue();

        Map<String, String> common = strings(configMap("kshift-common"));
        assertThat(common.get("KAFKA_BOOTSTRAP_SERVERS")).endsWith(":" + listenerPort());
        assertThat(common).containsEntry("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
                .containsEntry("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512").containsEntry("KAFKA_SSL_TRUSTSTORE_TYPE", "PEM");
    }

    @Test
    void eachPrincipalsKafkaUserHoldsExactlyTheAclsMeshAclsGrants() {
        String appId = ServiceConfig.of("telemetry-service").properties()
                .getProperty("quarkus.kafka-streams.application-id");
        Map<String, Set<String>> expected = new TreeMap<>();
        for (AclBinding b : MeshAcls.all(appId)) {
            expected.computeIfAbsent(b.entry().principal().substring("User:".length()), u -> new TreeSet<>())
                    .add(b.pattern().resourceType() + " " + b.pattern().name() + " " + b.pattern().patternType() + " "
                            + b.entry().operation());
        }
        Map<String, Set<String>> declared = new TreeMap<>();
        for (ObjectNode user : kinds("KafkaUser")) {
            assertThat(user.path("metadata").path("labels").path("strimzi.io/cluster").asText()).isEqualTo("kshift");
            JsonNode spec = user.path("spec");
            String name = user.path("metadata").path("name").asText();
            assertThat(spec.path("authentication").path("type").asText()).as(name).isEqualTo("scram-sha-512");
            assertThat(spec.path("authorization").path("type").asText()).as(name).isEqualTo("simple");
            Set<String> acls = declared.computeIfAbsent(name, u -> new TreeSet<>());
            for (JsonNode acl : spec.path("authorization").path("acls")) {
                JsonNode r = acl.path("resource");
                String type = switch (r.path("type").asText()) {
                    case "topic" -> "TOPIC";
                    case "group" -> "GROUP";
                    case "transactionalId" -> "TRANSACTIONAL_ID";
                    case "cluster" -> "CLUSTER";
                    default -> "UNKNOWN " + r.path("type").asText();
                };
                // Strimzi's words: literal, prefix (anything else it refuses).
                String pattern = switch (r.path("patternType").asText()) {
                    case "literal" -> "LITERAL";
                    case "prefix" -> "PREFIXED";
                    default -> "INVALID " + r.path("patternType").asText();
                };
                String resource = type.equals("CLUSTER") ? "kafka-cluster LITERAL" : r.path("name").asText() + " "
                        + pattern;
                for (JsonNode op : acl.path("operations")) {
                    // Strimzi spells operations in camel case (DescribeConfigs), Kafka in upper snake case.
                    String kafkaOp = op.asText().replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
                    acls.add(type + " " + resource + " " + kafkaOp);
                }
            }
        }
        assertThat(declared).isEqualTo(expected);
    }

    @Test
    void everyServiceLogsInAsItsOwnPrincipalAndTrustsTheClusterCa() {
        String truststore = strings(configMap("kshift-common")).get("KAFKA_SSL_TRUSTSTORE_LOCATION");
        Set<String> seen = new TreeSet<>();
        for (ObjectNode d : kinds("Deployment")) {
            JsonNode pod = d.path("spec").path("template").path("spec");
            for (JsonNode c : pod.path("containers")) {
                String image = c.path("image").asText();
                String principal = PRINCIPALS.get(image.substring(0, image.lastIndexOf(':')));
                if (principal == null) {
                    continue;
                }
                seen.add(principal);
                JsonNode jaas = null;
                for (JsonNode e : c.path("env")) {
                    if (e.path("name").asText().equals("KAFKA_SASL_JAAS_CONFIG")) {
                        jaas = e.path("valueFrom").path("secretKeyRef");
                    }
                }
                assertThat(jaas).as(image + " takes its login from a Secret").isNotNull();
                assertThat(jaas.path("name").asText() + " " + jaas.path("key").asText()).as(image)
                        .isEqualTo(principal + " sasl.jaas.config");
                String volume = null;
                for (JsonNode m : c.path("volumeMounts")) {
                    if (truststore.startsWith(m.path("mountPath").asText() + "/")) {
                        volume = m.path("name").asText();
                    }
                }
                assertThat(volume).as(image + " mounts the truststore's folder").isNotNull();
                String secret = null;
                for (JsonNode v : pod.path("volumes")) {
                    if (v.path("name").asText().equals(volume)) {
                        secret = v.path("secret").path("secretName").asText();
                    }
                }
                assertThat(secret).as(image + ": the cluster CA").isEqualTo("kshift-cluster-ca-cert");
            }
        }
        assertThat(seen).containsExactlyInAnyOrderElementsOf(PRINCIPALS.values());
    }

    /** The client listener's port, which the bootstrap address and the NetworkPolicies name. */
    static int listenerPort() {
        List<ObjectNode> kafka = Repo.kustomization(Repo.path("deploy/kubernetes/base")).stream()
                .filter(o -> o.path("kind").asText().equals("Kafka")).toList();
        return kafka.get(0).path("spec").path("kafka").path("listeners").get(0).path("port").asInt();
    }

    private ObjectNode only(String kind) {
        List<ObjectNode> all = kinds(kind);
        assertThat(all).as(kind).hasSize(1);
        return all.get(0);
    }

    private List<ObjectNode> kinds(String kind) {
        return kube.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
    }

    private JsonNode configMap(String name) {
        return kinds("ConfigMap").stream().filter(c -> c.path("metadata").path("name").asText().equals(name))
                .findFirst().orElseThrow().path("data");
    }

    private static Map<String, String> strings(JsonNode node) {
        Map<String, String> out = new TreeMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }
}
