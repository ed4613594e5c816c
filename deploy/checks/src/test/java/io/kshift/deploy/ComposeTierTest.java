package io.kshift.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * neither reads a developer's .kshift nor collides with a fleet on the usual ports ({@link ComposeProject} prepares
 * all that). Where there is no engine it is skipped, saying so: the tests without Docker are the gate.
 */
class ComposeTierTest {
    private static final Duration STARTUP = Duration.ofMinutes(10);

    @Test
    // `docker compose up` waits on health checks with no deadline of its own: a service in a restart loop would
    // hold the build for ever.
    @Timeout(value = 25, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void theTcpShiftingTaskRunsThroughTheImagesWithCredentials(@TempDir Path dir) throws Exception {
        assumeFalse(Boolean.getBoolean("kshift.images.skip"), "images skipped (-Dkshift.images.skip=true)");
        assumeTrue(ComposeProject.engineConfigured() && DockerClientFactory.instance().isDockerAvailable(),
                "no Docker engine reachable (DOCKER_HOST, /var/run/docker.sock): the compose tier needs one");
        String remote = ComposeProject.remoteEngine();
        assumeTrue(remote.isEmpty(), remote);
        String compose = ComposeProject.composeVersion();
        assumeTrue(ComposeProject.atLeast(compose, 2, 24, 4), "`docker compose` 2.24.4 or later is needed "
                + "(env_file `required`, `!reset`); found: " + (compose.isEmpty() ? "none" : compose));

        Path project = ComposeProject.copy(dir);
        ComposeProject.writeKeys(project);
        ComposeProject.loadImages();
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
            ComposeProject.printLogs(project); // `stop` removes the containers, and their logs with them
            try {
                fleet.stop();
            } catch (RuntimeException e) {
                t.addSuppressed(e);
            }
            throw t;
        }
        fleet.stop();
    }

    @Test
    void theTagComposeLooksForIsReadFromTheManifestAlone() throws Exception {
        assumeFalse(Boolean.getBoolean("kshift.images.skip"), "images skipped (-Dkshift.images.skip=true)");
        Path tar = Repo.path("config-service/target/jib-image.tar");
        assertThat(ImageTarball.repoTag(tar)).isEqualTo(ImageTarball.read(tar).repoTag())
                .isEqualTo("kshift/config-service:" + Repo.VERSION);
    }

    @Test
    void composeVersionsCompareAsReleasesDo() {
        assertThat(ComposeProject.atLeast("2.24.4", 2, 24, 4)).isTrue();
        assertThat(ComposeProject.atLeast("2.29.7", 2, 24, 4)).isTrue();
        assertThat(ComposeProject.atLeast("2.24.4-desktop.1", 2, 24, 4)).isTrue();
        assertThat(ComposeProject.atLeast("3.0", 2, 24, 4)).isTrue();
        assertThat(ComposeProject.atLeast("2.24.3", 2, 24, 4)).isFalse();
        assertThat(ComposeProject.atLeast("2.3.10", 2, 24, 4)).isFalse();
        assertThat(ComposeProject.atLeast("", 2, 24, 4)).isFalse();
        assertThat(ComposeProject.atLeast("unknown", 2, 24, 4)).isFalse();
    }

    /** The one-shot demo step (backends, tcp-echo all-v1, the HTTP gateway) must finish, and finish well. */
    private static void awaitDemoStep(ComposeContainer fleet) throws InterruptedException {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            var demo = fleet.getContainerByServiceName("demo-1");
            if (demo.isPresent()) {
                var state = demo.get().getCurrentContainerInfo().getState();
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
}
