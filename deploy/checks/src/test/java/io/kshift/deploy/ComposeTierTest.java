package io.kshift.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * The Testcontainers tier (design card): where a Docker engine and Compose v2 exist, the built images run as
 * docker-compose.yml wires them — Kafka with TLS, SCRAM and ACLs, the services, a proxy behind HAProxy, the sample
 * backends and the demo step — and Istio's TCP traffic shifting task runs through them with credentials. It works
 * on a copy of the compose file and what it mounts, with keys of its own ({@code ./kshift keys} run in that copy)
 * and the published ports reset by an override file (reached through Testcontainers' ambassador instead), so it
 * neither reads a developer's .kshift nor collides with a fleet on the usual ports. Where there is no engine it is
 * skipped, saying so: the tests without Docker are the gate.
 */
class ComposeTierTest {
    private static final Duration STARTUP = Duration.ofMinutes(10);

    @Test
    // `docker compose up` waits on health checks with no deadline of its own: a service in a restart loop would
    // hold the build for ever.
    @Timeout(value = 25, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void theTcpShiftingTaskRunsThroughTheImagesWithCredentials(@TempDir Path dir) throws Exception {
        assumeFalse(Boolean.getBoolean("kshift.images.skip"), "images skipped (-Dkshift.images.skip=true)");
        assumeTrue(engineConfigured() && DockerClientFactory.instance().isDockerAvailable(),
                "no Docker engine reachable (DOCKER_HOST, /var/run/docker.sock): the compose tier needs one");
        String compose = composeVersion();
        assumeTrue(atLeast(compose, 2, 24, 4), "`docker compose` 2.24.4 or later is needed (env_file `required`, "
                + "`!reset`); found: " + (compose.isEmpty() ? "none" : compose));

        Path project = copyProject(dir);
        writeKeys(project);
        loadImages();
        ComposeContainer fleet = new ComposeContainer(List.of(project.resolve("docker-compose.yml").toFile(),
                project.resolve("compose.test.yml").toFile()))
                .withPull(false) // kshift's images were just loaded; compose pulls the public ones it lacks
                .withRemoveVolumes(true)
                // The compose file reads these from the environment: a developer's shell must not change the fleet.
                .withEnv(java.util.Map.of("KSHIFT_COMPOSE_KAFKA", "kafka:9092", "KAFKA_VOTERS", "1@kafka:9093",
                        "KAFKA_REPLICATION_FACTOR", "1", "KAFKA_MIN_ISR", "1", "COMPOSE_PROFILES", ""))
                .withStartupTimeout(STARTUP)
                .withExposedService("config-service-1", 8080,
                        Wait.forHttp("/q/health/ready").forStatusCode(200).withStartupTimeout(STARTUP))
                .withExposedService("front-1", 31400, Wait.forListeningPort().withStartupTimeout(STARTUP));
        Throwable failure = null;
        try {
            fleet.start();
            String api = "http://" + fleet.getServiceHost("config-service-1", 8080) + ":"
                    + fleet.getServicePort("config-service-1", 8080);
            String gatewayHost = fleet.getServiceHost("front-1", 31400);
            int gatewayPort = fleet.getServicePort("front-1", 31400);
            String token = Files.readString(project.resolve(".kshift/token")).strip();

            awaitDemoStep(fleet);
            awaitSynced(api, token);
            Path samples = Repo.path("samples/tcp-echo");
            assertThat(apply(api, null, samples.resolve("tcp-echo-20-v2.yaml")).statusCode())
                    .as("a change without a token").isEqualTo(401);
            assertThat(send(gatewayHost, gatewayPort, 20)).as("the demo step's all-v1").containsOnly("one hi");

            HttpResponse<String> shifted = apply(api, token, samples.resolve("tcp-echo-20-v2.yaml"));
            assertThat(shifted.statusCode()).as(shifted.body()).isEqualTo(200);
            List<String> answers = send(gatewayHost, gatewayPort, 100);
            assertThat(answers).containsOnly("one hi", "two hi");
            assertThat(answers.stream().filter("two hi"::equals).count()).as("one proxy's exact 80/20")
                    .isEqualTo(20);
            assertThat(get(api, token, "/api/v1/proxies")).contains("SYNCED").doesNotContain("STALE");
        } catch (Throwable t) {
            failure = t;
            printLogs(fleet); // `stop` removes the containers, and their logs with them
            throw t;
        } finally {
            try {
                fleet.stop();
            } catch (RuntimeException e) {
                if (failure == null) {
                    throw e;
                }
                failure.addSuppressed(e);
            }
        }
    }

    private static final List<String> SERVICES = List.of("kafka-1", "kafka-init-1", "validator-service-1",
            "config-service-1", "telemetry-service-1", "proxy-1", "front-1", "demo-1");

    private static void printLogs(ComposeContainer fleet) {
        for (String service : SERVICES) {
            try {
                fleet.getContainerByServiceName(service).ifPresent(c -> System.err.printf(
                        "----- %s -----%n%s%n", service, c.getLogs()));
            } catch (RuntimeException e) {
                System.err.printf("----- %s: no logs (%s)%n", service, e);
            }
        }
    }

    @Test
    void composeVersionsCompareAsReleasesDo() {
        assertThat(atLeast("2.24.4", 2, 24, 4)).isTrue();
        assertThat(atLeast("2.29.7", 2, 24, 4)).isTrue();
        assertThat(atLeast("2.24.4-desktop.1", 2, 24, 4)).isTrue();
        assertThat(atLeast("3.0", 2, 24, 4)).isTrue();
        assertThat(atLeast("2.24.3", 2, 24, 4)).isFalse();
        assertThat(atLeast("2.3.10", 2, 24, 4)).isFalse();
        assertThat(atLeast("", 2, 24, 4)).isFalse();
        assertThat(atLeast("unknown", 2, 24, 4)).isFalse();
    }

    /** docker-compose.yml and what it mounts (deploy/compose, the samples' YAML), plus the port-reset override. */
    private static Path copyProject(Path dir) throws IOException {
        Path project = dir.resolve("kshift");
        Files.createDirectories(project);
        Files.copy(Repo.path("docker-compose.yml"), project.resolve("docker-compose.yml"));
        for (String tree : List.of("deploy/compose", "samples")) {
            try (Stream<Path> files = Files.walk(Repo.path(tree))) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    String relative = Repo.ROOT.relativize(f).toString();
                    boolean mounted = tree.equals("deploy/compose") || (relative.endsWith(".yaml")
                            && !relative.contains("/target/") && !relative.contains("/src/"));
                    if (mounted) {
                        Path to = project.resolve(relative);
                        Files.createDirectories(to.getParent());
                        Files.copy(f, to);
                    }
                }
            }
        }
        // Published ports would collide with a local fleet (8080, 8082, 19092) or another run; the test reaches
        // the services through Testcontainers' ambassador instead. `!reset` needs Compose 2.24.4 or later.
        Files.writeString(project.resolve("compose.test.yml"), """
                services:
                  kafka: {ports: !reset []}
                  config-service: {ports: !reset []}
                  telemetry-service: {ports: !reset []}
                  front: {ports: !reset []}
                """);
        return project;
    }

    /** {@code ./kshift keys} in the copy: JWT key pair, admin token, fleet key ring, Kafka TLS and SCRAM logins. */
    private static void writeKeys(Path project) throws Exception {
        Path local = Repo.path("deploy/local/target");
        String java = ProcessHandle.current().info().command().orElse("java");
        Path log = project.resolveSibling("keys.log");
        Process p = new ProcessBuilder(java, "-cp", local.resolve("kshift-local.jar") + File.pathSeparator
                + local.resolve("lib") + File.separator + "*", "io.kshift.local.KshiftCli", "keys")
                .directory(project.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean exited = p.waitFor(2, TimeUnit.MINUTES);
        if (!exited) {
            p.destroyForcibly();
        }
        assertThat(exited && p.exitValue() == 0).as(Files.readString(log)).isTrue();
        // The services run as uid 1001 and read the fleet key ring, which `keys` makes its owner's only (600).
        Path ring = project.resolve(".kshift/fleet.keys");
        try {
            Files.setAttribute(ring, "unix:uid", 1001);
        } catch (IOException | UnsupportedOperationException e) {
            // Not root: this run's throw-away ring is made readable instead (it lives in the test's temp dir).
            Files.setPosixFilePermissions(ring, PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    /** Every image the build wrote, loaded into the engine as `docker load -i` would. */
    private static void loadImages() throws IOException {
        List<Path> tarballs = Stream.concat(
                Stream.of("validator-service", "config-service", "telemetry-service", "proxy-service")
                        .map(m -> Repo.path(m + "/target/jib-image.tar")),
                Stream.of("tcp-echo", "http-echo").map(s -> Repo.path("samples/target/" + s + "-image.tar")))
                .toList();
        var docker = DockerClientFactory.instance().client();
        for (Path tar : tarballs) {
            assertThat(tar).as("built by ./mvnw verify").exists();
            try (InputStream in = Files.newInputStream(tar)) {
                docker.loadImageCmd(in).exec();
            }
            // The load's answer is not read by docker-java: a refused image shows here, not as a pull from Docker
            // Hub that compose would try next.
            String tag = repoTag(tar);
            assertThat(docker.inspectImageCmd(tag).exec().getId()).as("%s loaded from %s", tag, tar).isNotNull();
        }
    }

    /** The tag in the tarball's manifest.json (read without unpacking the layers). */
    private static String repoTag(Path tar) throws IOException {
        try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(Files.newInputStream(tar))) {
            org.apache.commons.compress.archivers.tar.TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (e.getName().equals("manifest.json")) {
                    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(in.readAllBytes()).get(0)
                            .get("RepoTags").get(0).asText();
                }
            }
        }
        throw new IOException("no manifest.json in " + tar);
    }

    /** The one-shot demo step (backends, tcp-echo all-v1, the HTTP gateway) must finish, and finish well. */
    private static void awaitDemoStep(ComposeContainer fleet) throws InterruptedException {
        var docker = DockerClientFactory.instance().client();
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            var demo = fleet.getContainerByServiceName("demo-1");
            if (demo.isPresent()) {
                var state = docker.inspectContainerCmd(demo.get().getContainerId()).exec().getState();
                if ("exited".equals(state.getStatus())) {
                    assertThat(state.getExitCodeLong()).as("the demo step's exit code; its log:%n%s",
                            demo.get().getLogs()).isZero();
                    return;
                }
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("the demo step did not finish within " + STARTUP);
    }

    /** The demo step waits for verdicts only: traffic goes once the proxy runs the live generation. */
    private static void awaitSynced(String api, String token) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        String proxies = "";
        while (System.nanoTime() < deadline) {
            proxies = get(api, token, "/api/v1/proxies");
            if (proxies.contains("SYNCED")) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no proxy SYNCED within 2 minutes: " + proxies);
    }

    /** One connection per line, as {@code echo hi | nc -q1 HOST 31400} sends it; the answer lines in order. */
    private static List<String> send(String host, int port, int connections) throws IOException {
        List<String> answers = new java.util.ArrayList<>();
        for (int i = 0; i < connections; i++) {
            try (Socket s = new Socket(host, port)) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write("hi\n".getBytes(StandardCharsets.US_ASCII));
                answers.add(new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))
                        .readLine());
            }
        }
        return answers;
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static HttpResponse<String> apply(String api, String token, Path yaml) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api + "/api/v1/apply?waitFor=synced&timeout=60s"))
                .header("Content-Type", "application/yaml").POST(HttpRequest.BodyPublishers.ofFile(yaml))
                .timeout(Duration.ofSeconds(90));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String get(String api, String token, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(api + path)).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /**
     * Whether any of the places Testcontainers looks for an engine exists; asked first so that a machine with none
     * skips quietly instead of logging Testcontainers' search as an error.
     */
    private static boolean engineConfigured() {
        Path home = Path.of(System.getProperty("user.home"));
        return System.getenv("DOCKER_HOST") != null || Files.exists(Path.of("/var/run/docker.sock"))
                || Files.exists(home.resolve(".testcontainers.properties"))
                || Files.exists(home.resolve(".docker/run/docker.sock"));
    }

    /** {@code docker compose version --short}, e.g. "2.29.7"; empty where there is none. */
    private static String composeVersion() {
        try {
            Process p = new ProcessBuilder("docker", "compose", "version", "--short").redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? out.replaceFirst("^v", "") : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    static boolean atLeast(String version, int... wanted) {
        String[] parts = version.split("[.+-]");
        for (int i = 0; i < wanted.length; i++) {
            int have;
            try {
                have = i < parts.length ? Integer.parseInt(parts[i]) : 0;
            } catch (NumberFormatException e) {
                return false;
            }
            if (have != wanted[i]) {
                return have > wanted[i];
            }
        }
        return true;
    }
}
