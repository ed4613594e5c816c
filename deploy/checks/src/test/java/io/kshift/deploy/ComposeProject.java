package io.kshift.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.testcontainers.DockerClientFactory;

/**
 * What {@link ComposeTierTest} needs around the compose file: whether an engine and Compose are there, a copy of
 * the project's compose setup with keys of its own, the built images in the engine, and the containers' logs.
 */
final class ComposeProject {
    private ComposeProject() {
    }

    /** docker-compose.yml and what it mounts (deploy/compose, the samples' YAML), plus the port-reset override. */
    static Path copy(Path dir) throws IOException {
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
    static void writeKeys(Path project) throws Exception {
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
    }

    /** Every image the build wrote, loaded into the engine as `docker load -i` would. */
    static void loadImages() throws IOException {
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
            // docker-java does not read the load's answer: a refused image shows here (the engine may still be
            // unpacking it for a moment), not as a pull from Docker Hub that compose would try next.
            awaitImage(docker, ImageTarball.repoTag(tar), tar);
        }
    }

    private static void awaitImage(com.github.dockerjava.api.DockerClient docker, String tag, Path tar) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (true) {
            try {
                docker.inspectImageCmd(tag).exec();
                return;
            } catch (com.github.dockerjava.api.exception.NotFoundException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(tag + " is not in the engine after loading " + tar, e);
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted waiting for " + tag, interrupted);
                }
            }
        }
    }

    /**
     * Every container of this run, found by the project directory compose labels it with (not by service name:
     * when `up` itself fails, Testcontainers has not looked its containers up yet), with its whole log.
     */
    static void printLogs(Path project) {
        try {
            var docker = DockerClientFactory.instance().client();
            java.util.Set<String> dirs = new java.util.HashSet<>(List.of(project.toString()));
            try {
                dirs.add(project.toRealPath().toString());
            } catch (IOException e) {
                // The copy is gone: the plain path is all there is to match.
            }
            for (var c : docker.listContainersCmd().withShowAll(true).exec()) {
                var labels = c.getLabels() == null ? java.util.Map.<String, String>of() : c.getLabels();
                if (dirs.contains(labels.get("com.docker.compose.project.working_dir"))) {
                    System.err.printf("----- %s (%s) -----%n%s%n", String.join(",", c.getNames()), c.getStatus(),
                            org.testcontainers.utility.LogUtils.getOutput(docker, c.getId()));
                }
            }
        } catch (RuntimeException e) {
            System.err.println("the containers' logs could not be read: " + e);
        }
    }

    /**
     * Whether any of the places Testcontainers looks for an engine exists; asked first so that a machine with none
     * skips quietly instead of logging Testcontainers' search as an error.
     */
    static boolean engineConfigured() {
        Path home = Path.of(System.getProperty("user.home"));
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        return System.getenv("DOCKER_HOST") != null || Files.exists(Path.of("/var/run/docker.sock"))
                || Files.exists(home.resolve(".testcontainers.properties"))
                || Files.exists(home.resolve(".docker/run/docker.sock"))
                || Files.exists(home.resolve(".docker/desktop/docker.sock"))
                || (runtime != null && Files.exists(Path.of(runtime, "docker.sock")));
    }

    /**
     * Where the engine runs on another host (docker-in-docker in CI: {@code DOCKER_HOST=tcp://docker:2375}), the
     * compose file's bind mounts of this run's files cannot work: a reason to skip, or empty.
     */
    static String remoteEngine() {
        String host = System.getenv("DOCKER_HOST");
        if (host == null || host.startsWith("unix://") || host.startsWith("npipe://")) {
            return "";
        }
        String authority = java.net.URI.create(host).getHost();
        return authority == null || authority.equals("localhost") || authority.startsWith("127.")
                ? "" : "the engine (DOCKER_HOST=" + host + ") is on another host: this run's files cannot be mounted";
    }

    /** {@code docker compose version --short}, e.g. "2.29.7"; empty where there is none. */
    static String composeVersion() {
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

    /** Whether a dotted version is at least {@code wanted}, e.g. {@code atLeast("2.29.7", 2, 24, 4)}. */
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
