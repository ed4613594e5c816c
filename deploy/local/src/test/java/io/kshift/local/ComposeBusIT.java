package io.kshift.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kshift.model.bus.MeshAcls;
import io.kshift.model.event.MeshTopics;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Compose's closed bus without Docker: a broker started from docker-compose.yml's own Kafka environment (the
 * apache/kafka image's KAFKA_* → property mapping, the env file and mounts {@code ./kshift keys} writes, host ports
 * in place of the containers'), then kafka-init's own command (its entrypoint, from the config-service build that the
 * image copies to /deployments), then the services' logins as compose hands them over.
 */
class ComposeBusIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path REPO = Path.of("..", "..").toAbsolutePath().normalize();
    private static JsonNode compose;
    private static Path work;
    private static List<Integer> ports;
    private static Process broker;
    private static String initOutput;
    private static Path ring;

    @BeforeAll
    static void brokerAndInit() throws Exception {
        try (Reader r = Files.newBufferedReader(REPO.resolve("docker-compose.yml"))) {
            compose = JSON.valueToTree(new org.yaml.snakeyaml.Yaml().load(r));
        }
        work = Files.createTempDirectory("kshift-compose-bus");
        Map<String, String> passwords = new TreeMap<>();
        for (String user : MeshAcls.SERVICES) {
            passwords.put(user, user.replace("-", "") + "Pw1");
        }
        ComposeBus.write(work.resolve(".kshift").resolve(ComposeBus.DIR), passwords, "adminPw1");
        // The key ring `keys` makes (600, the host user's) and the copy compose mounts for the services.
        ring = work.resolve(".kshift").resolve(LocalCredentials.FLEET_KEYS_FILE);
        BusCredentials.writePrivate(ring, w -> w.write(io.kshift.model.secret.FleetKeys.newKeyLine("test") + "\n"));
        ComposeBus.copyKeyRing(ring, work.resolve(".kshift").resolve(ComposeBus.DIR));
        ports = FleetLayout.freePorts(3);

        JsonNode kafka = service("kafka");
        Properties server = new Properties();
        Map<String, String> env = new LinkedHashMap<>(strings(kafka.path("environment")));
        for (JsonNode file : kafka.path("env_file")) {
            env.putAll(envFile(host(envFilePath(file))));
        }
        String clusterId = env.remove("CLUSTER_ID");
        env.forEach((k, v) -> {
            if (k.startsWith("KAFKA_")) {
                server.put(property(k.substring("KAFKA_".length())), forProcess(kafka, v));
            }
        });
        server.put("log.dirs", work.resolve("data").toString());
        Path properties = work.resolve("server.properties");
        try (var w = Files.newBufferedWriter(properties)) {
            server.store(w, "docker-compose.yml's kafka service, on host ports");
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        // The broker and kafka-init resolve the compose hostnames as the containers do (to this host), so TLS checks
        // the certificate against "kafka", as in compose; this JVM's own clients come in through the published
        // listener, which advertises localhost.
        Path hosts = work.resolve("hosts");
        Files.writeString(hosts, "127.0.0.1 localhost kafka\n");
        String resolve = "-Djdk.net.hosts.file=" + hosts;
        String lib = REPO.resolve("deploy/local/target/lib") + "/*";
        Process format = new ProcessBuilder(java, resolve, "-cp", lib, "kafka.tools.StorageTool", "format", "-t", clusterId,
                "-c", properties.toString()).redirectErrorStream(true)
                .redirectOutput(work.resolve("format.log").toFile()).start();
        boolean formatted = format.waitFor(60, TimeUnit.SECONDS);
        format.destroyForcibly();
        assertThat(formatted && format.exitValue() == 0)
                .as(Files.exists(work.resolve("format.log")) ? Files.readString(work.resolve("format.log")) : "")
                .isTrue();
        broker = new ProcessBuilder(java, resolve, "-Xmx384m", "-cp", lib, "kafka.Kafka", properties.toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("kafka.log").toFile()).start();

        JsonNode init = service("kafka-init");
        assertThat(init.path("image").asText()).startsWith("kshift/config-service:");
        List<String> command = new ArrayList<>();
        for (JsonNode arg : init.path("entrypoint")) {
            String a = arg.asText();
            command.add(a.equals("java") ? java
                    : a.replace("/deployments/", REPO.resolve("config-service/target/quarkus-app") + "/"));
            if (a.equals("java")) {
                command.add(resolve);
            }
        }
        ProcessBuilder run = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve("kafka-init.log").toFile());
        strings(init.path("environment")).forEach((k, v) -> run.environment().put(k, forProcess(init, v)));
        run.environment().put("KSHIFT_BUS_WAIT", "2m");
        Process initProcess = run.start();
        boolean done = initProcess.waitFor(180, TimeUnit.SECONDS);
        initProcess.destroyForcibly();
        initOutput = Files.readString(work.resolve("kafka-init.log"));
        assertThat(done && initProcess.exitValue() == 0).as("kafka-init: " + initOutput + "\nbroker: "
                + tail(work.resolve("kafka.log"))).isTrue();
    }

    @AfterAll
    static void stop() throws Exception {
        if (broker != null) {
            broker.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        if (work != null) {
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @Test
    void theCertificateNamesEveryBrokerAddressAndTheImageTakesTheListenersAsTheyAre() throws Exception {
        java.util.Set<String> hostsNamed = new java.util.TreeSet<>();
        Pattern hostPort = Pattern.compile("(?:://|@|^|,)([A-Za-z][\\w.-]*):\\d+");
        List<String> addresses = new ArrayList<>();
        for (String name : List.of("kafka", "kafka-2", "kafka-3")) {
            String advertised = service(name).path("environment").path("KAFKA_ADVERTISED_LISTENERS").asText();
            // The apache/kafka start script wants JKS files of its own for such listeners (it would not start).
            assertThat(advertised).doesNotContain("SSL://").doesNotContainPattern("SASL_.*://");
            addresses.add(advertised);
        }
        Properties kafka3 = new Properties();
        try (Reader r = Files.newBufferedReader(REPO.resolve("deploy/compose/kafka3.env"))) {
            kafka3.load(r);
        }
        addresses.add(kafka3.getProperty("KAFKA_VOTERS"));
        addresses.add(kafka3.getProperty("KSHIFT_COMPOSE_KAFKA"));
        for (String a : addresses) {
            Matcher m = hostPort.matcher(a);
            while (m.find()) {
                hostsNamed.add(m.group(1));
            }
        }
        assertThat(hostsNamed).contains("kafka", "kafka-2", "kafka-3", "localhost");
        String pem = Files.readString(work.resolve(".kshift/compose/kafka-broker.pem"));
        var leaf = io.kshift.samples.tls.DemoPki.certificates(pem.substring(pem.indexOf("-----BEGIN CERTIFICATE")))
                .get(0);
        List<String> sans = leaf.getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList();
        assertThat(sans).containsAll(hostsNamed);
        assertThat(ComposeBus.needsCertificate(work.resolve(".kshift/compose/kafka-broker.pem"))).isFalse();
    }

    /** The services (uid 1001) read the ring from the compose folder; the host user's own stays 600. */
    @Test
    void composeMountsACopyOfTheKeyRingAndTheOriginalStaysPrivate() throws Exception {
        assertThat(service("config-service").path("volumes").toString()).contains("./.kshift/compose/fleet.keys");
        assertThat(Files.readString(work.resolve(".kshift/compose/fleet.keys"))).isEqualTo(Files.readString(ring));
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(ring)))
                .isEqualTo("rw-------");
    }

    @Test
    void containersCanReadTheirMountsAndOnlyTheOwnerTheFolderAndEnvFiles() throws Exception {
        Path dir = work.resolve(".kshift/compose");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
                .isEqualTo("rwx------");
        var services = compose.path("services").fields();
        while (services.hasNext()) {
            var s = services.next().getValue();
            for (JsonNode volume : s.path("volumes")) {
                if (volume.isObject() && volume.path("source").asText().startsWith("./.kshift/compose/")) {
                    // Containers run as other users (1000, 1001) and see a bind-mounted file by its own mode.
                    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(host(volume.path("source").asText()))))
                            .as(volume.path("source").asText()).isEqualTo("rw-r--r--");
                }
            }
            for (JsonNode file : s.path("env_file")) {
                assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(host(envFilePath(file))))).as(envFilePath(file))
                        .isEqualTo("rw-------");
            }
        }
    }

    @Test
    void kafkaInitMadeTheTopicsUsersAndAclsAsTheSuperUserOverTls() throws Exception {
        assertThat(initOutput).contains("kshift bus ready");
        // kafka-init's login, which the brokers' health check uses too (there on localhost:9092, inside).
        try (Admin admin = Admin.create(client(service("kafka"), forTestClient(service("kafka"),
                ComposeBus.MOUNT + "/admin.properties"), "kafka:9092"))) {
            assertThat(admin.listTopics().names().get(20, TimeUnit.SECONDS))
                    .containsAll(MeshTopics.all().stream().map(t -> t.name()).toList());
            assertThat(admin.describeAcls(org.apache.kafka.common.acl.AclBindingFilter.ANY).values()
                    .get(20, TimeUnit.SECONDS)).containsExactlyInAnyOrderElementsOf(
                    new java.util.HashSet<>(MeshAcls.all(io.kshift.model.bus.BusSetup.TELEMETRY_APP_ID)));
        }
    }

    @Test
    void eachServiceWritesOnlyItsTopicsWithTheLoginComposeGivesIt() throws Exception {
        try (var proxy = producer(serviceLogin("proxy"))) {
            proxy.send(new ProducerRecord<>(MeshTopics.PROXY_STATUS, "n", "{}")).get(20, TimeUnit.SECONDS);
            assertThatThrownBy(() -> proxy.send(new ProducerRecord<>(MeshTopics.CHANGES, "x", "{}"))
                    .get(20, TimeUnit.SECONDS)).hasCauseInstanceOf(TopicAuthorizationException.class);
        }
        try (var config = producer(serviceLogin("config-service"))) {
            config.send(new ProducerRecord<>(MeshTopics.CHANGES, "x", "{}")).get(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void anonymousAndWrongPasswordClientsAreRefused() {
        for (int port : List.of(ports.get(0), ports.get(2))) {
            // TLS that trusts the CA, but no login: a TLS-only listener would let this one in.
            Map<String, Object> anonymous = Map.of("bootstrap.servers", "localhost:" + port,
                    "security.protocol", "SSL", "ssl.truststore.type", "PEM",
                    "ssl.truststore.location", work.resolve(".kshift/compose/ca.crt").toString(),
                    "request.timeout.ms", 3000, "default.api.timeout.ms", 5000);
            try (Admin admin = Admin.create(anonymous)) {
                assertThatThrownBy(() -> admin.listTopics().names().get(10, TimeUnit.SECONDS)).as("port " + port)
                        .isInstanceOfAny(ExecutionException.class, java.util.concurrent.TimeoutException.class);
            }
        }
        Map<String, Object> wrong = serviceLogin("proxy");
        wrong.put("sasl.jaas.config", BusCredentials.jaas(MeshAcls.PROXY, "not-the-password"));
        try (Admin admin = Admin.create(wrong)) {
            assertThatThrownBy(() -> admin.listTopics().names().get(20, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(SaslAuthenticationException.class);
        }
    }

    @Test
    void hostToolsReadThroughThePublishedListenerAndWriteNothing() throws Exception {
        Properties tools = new Properties();
        try (Reader r = Files.newBufferedReader(work.resolve(".kshift/compose/kafka-client.properties"))) {
            tools.load(r);
        }
        Map<String, Object> config = new TreeMap<>();
        tools.stringPropertyNames().forEach(n -> config.put(n, mapPorts(tools.getProperty(n))));
        config.put("request.timeout.ms", 5000);
        try (Admin admin = Admin.create(config)) {
            assertThat(admin.listTopics().names().get(20, TimeUnit.SECONDS)).contains(MeshTopics.CONFIG);
        }
        // Not idempotent: that would be refused at the cluster already; this asks the topic's ACLs.
        config.put("enable.idempotence", "false");
        try (var producer = producer(config)) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(MeshTopics.CONFIG, "mesh", "{}"))
                    .get(20, TimeUnit.SECONDS)).hasCauseInstanceOf(TopicAuthorizationException.class);
        }
    }

    /** A kshift service's Kafka settings as compose gives them: its environment and env file, by Quarkus' mapping. */
    private static Map<String, Object> serviceLogin(String name) {
        JsonNode s = service(name);
        Map<String, String> env = new LinkedHashMap<>(strings(s.path("environment")));
        for (JsonNode file : s.path("env_file")) {
            env.putAll(envFile(host(envFilePath(file))));
        }
        Map<String, Object> config = new TreeMap<>();
        env.forEach((k, v) -> {
            if (k.startsWith("KAFKA_")) {
                config.put(k.substring("KAFKA_".length()).toLowerCase().replace('_', '.'), forTestClient(s, v));
            }
        });
        config.put("request.timeout.ms", 5000);
        return config;
    }

    private static Map<String, Object> client(JsonNode service, String mountedFile, String bootstrap)
            throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of(mountedFile))) {
            p.load(r);
        }
        Map<String, Object> config = new TreeMap<>();
        p.stringPropertyNames().forEach(n -> config.put(n, forTestClient(service, p.getProperty(n))));
        config.put("bootstrap.servers", forTestClient(service, bootstrap));
        config.put("request.timeout.ms", 5000);
        return config;
    }

    private static KafkaProducer<String, String> producer(Map<String, Object> config) {
        Map<String, Object> c = new TreeMap<>(config);
        c.put("max.block.ms", 20_000);
        c.put("delivery.timeout.ms", 20_000);
        return new KafkaProducer<>(c, new StringSerializer(), new StringSerializer());
    }

    private static JsonNode service(String name) {
        JsonNode s = compose.path("services").path(name);
        assertThat(s.isMissingNode()).as("compose service " + name).isFalse();
        return s;
    }

    /** The apache/kafka image's mapping: KAFKA_A_B → a.b, {@code __} → {@code _}, {@code ___} → {@code -}. */
    static String property(String env) {
        return env.toLowerCase().replace("___", "-").replace("__", "\u0000").replace('_', '.').replace('\u0000', '_');
    }

    private static final Pattern DEFAULTED = Pattern.compile("\\$\\{[A-Z_0-9]+:-([^}]*)}");

    /**
     * A value as a container would see it, for the broker and kafka-init processes (which resolve the compose
     * hostnames through a hosts file): compose's {@code ${VAR:-default}} at its default, a mounted file's path its
     * source's (a properties file: a copy with its paths mapped), the container ports this host's, and listeners
     * bound to the loopback only (the test broker's super user has a test password).
     */
    private static String forProcess(JsonNode service, String value) {
        return mapPorts(mapMounts(service, defaults(value), true)).replace("://:", "://127.0.0.1:");
    }

    /**
     * The same for this JVM's own clients, which cannot resolve the compose hostnames: they come in on the published
     * listener (localhost:19092, same protocol and logins as the internal one).
     */
    private static String forTestClient(JsonNode service, String value) {
        String v = mapMounts(service, defaults(value), false).replaceAll("(?<![\\w.-])kafka:9092", "localhost:19092");
        return mapPorts(v);
    }

    private static String defaults(String value) {
        return DEFAULTED.matcher(value).replaceAll(r -> Matcher.quoteReplacement(r.group(1)));
    }

    private static String mapMounts(JsonNode service, String value, boolean viewFiles) {
        String v = value;
        for (JsonNode volume : service.path("volumes")) {
            if (volume.isObject() && volume.path("type").asText().equals("bind")) {
                String source = volume.path("source").asText();
                v = v.replace(volume.path("target").asText(), (viewFiles ? mounted(service, source) : host(source))
                        .toString());
            }
        }
        return v;
    }

    /**
     * The file a process sees at a mount: the source itself, or for a client properties file (which names other
     * mounted files by their container paths) a copy with those paths mapped.
     */
    private static Path mounted(JsonNode service, String source) {
        Path file = host(source);
        if (!file.toString().endsWith(".properties")) {
            return file;
        }
        try {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            }
            Properties mapped = new Properties();
            p.stringPropertyNames().forEach(n -> mapped.put(n, mapPorts(mapMounts(service, p.getProperty(n), false))));
            Path copy = work.resolve("container-view").resolve(service.path("hostname").asText("svc") + "-"
                    + file.getFileName());
            Files.createDirectories(copy.getParent());
            try (var w = Files.newBufferedWriter(copy)) {
                mapped.store(w, "as the container sees " + source);
            }
            return copy;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String mapPorts(String value) {
        return value.replaceAll("(?<![0-9])19092(?![0-9])", String.valueOf(ports.get(2)))
                .replaceAll("(?<![0-9])9093(?![0-9])", String.valueOf(ports.get(1)))
                .replaceAll("(?<![0-9])9092(?![0-9])", String.valueOf(ports.get(0)));
    }

    /** An env_file entry: a path, or compose's long form {@code {path: ..., required: ...}}. */
    private static String envFilePath(JsonNode entry) {
        return entry.isObject() ? entry.path("path").asText() : entry.asText();
    }

    /** A compose source path: {@code ./.kshift/...} is this test's work folder. */
    private static Path host(String source) {
        return source.startsWith("./.kshift/") ? work.resolve(source.substring(2)) : REPO.resolve(source);
    }

    private static Map<String, String> strings(JsonNode map) {
        Map<String, String> out = new LinkedHashMap<>();
        map.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    /** KEY='value' lines, as compose reads them (single quotes: literal). */
    private static Map<String, String> envFile(Path file) {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String key = line.substring(0, line.indexOf('='));
                String value = line.substring(line.indexOf('=') + 1);
                out.put(key, value.startsWith("'") && value.endsWith("'") ? value.substring(1, value.length() - 1)
                        : value);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "";
        }
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
