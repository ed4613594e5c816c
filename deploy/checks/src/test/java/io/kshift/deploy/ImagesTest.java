package io.kshift.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every image the build writes: its name, entrypoint, ports and user, and the files it must carry. */
class ImagesTest {
    /** Image name, tarball, and the ports it must expose: what compose and the Kubernetes manifests rely on. */
    static Stream<Arguments> images() {
        return Stream.of(
                service("config-service"), service("validator-service"), service("telemetry-service"),
                service("registry-adapter"),
                Arguments.of("kshift/proxy-service", "proxy-service/target/jib-image.tar",
                        List.of(15000, 15080, 31400, 31080)),
                Arguments.of("kshift/tcp-echo", "samples/target/tcp-echo-image.tar", List.of(9000)),
                Arguments.of("kshift/http-echo", "samples/target/http-echo-image.tar", List.of(8000)));
    }

    static List<String> built() {
        return images().map(a -> a.get()[0] + ":" + Repo.VERSION).toList();
    }

    private static Arguments service(String module) {
        return Arguments.of("kshift/" + module, module + "/target/jib-image.tar",
                List.of(ServiceConfig.of(module).httpPort()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void imageIsBuiltWithItsEntrypointPortsAndUser(String name, String tarball, List<Integer> ports)
            throws IOException {
        assumeFalse(Boolean.getBoolean("kshift.images.skip"), "images skipped (-Dkshift.images.skip=true)");
        ImageTarball image = ImageTarball.read(Repo.path(tarball));

        assertThat(image.repoTag()).isEqualTo(name + ":" + Repo.VERSION);
        JsonNode config = image.config();
        assertThat(config.path("User").asText()).as("runs as the non-root user 1001").isEqualTo("1001");
        List<String> entrypoint = new ArrayList<>();
        config.path("Entrypoint").forEach(e -> entrypoint.add(e.asText()));
        assertThat(entrypoint.get(0)).isEqualTo("java");
        assertThat(entrypoint).contains("-XX:MaxRAMPercentage=50.0", "-XX:+ExitOnOutOfMemoryError");
        List<String> exposed = new ArrayList<>();
        config.path("ExposedPorts").fieldNames().forEachRemaining(exposed::add);
        assertThat(exposed).containsExactlyInAnyOrderElementsOf(ports.stream().map(p -> p + "/tcp").toList());
        assertThat(config.path("Env").toString()).contains("JAVA_HOME=/opt/java", "PATH=/opt/java/bin");

        // The base's parts: a runtime, its C libraries, the user, a writable /tmp, the compose health check.
        assertThat(image.files()).containsKeys("/opt/java/bin/java", "/lib64/ld-linux-x86-64.so.2",
                "/etc/passwd", "/opt/kshift/health/io/kshift/images/HealthCheck.class");
        assertThat(image.files().get("/tmp").mode() & 0777).isEqualTo(0777);
        assertThat(image.files().keySet()).anyMatch(f -> f.matches("/lib/.*/libc\\.so\\.6"));
        if (entrypoint.contains("-jar")) { // a Quarkus service: the fast-jar in the working directory
            assertThat(config.path("WorkingDir").asText()).isEqualTo("/deployments");
            assertThat(entrypoint.subList(entrypoint.size() - 2, entrypoint.size()))
                    .containsExactly("-jar", "quarkus-run.jar");
            assertThat(image.files()).containsKeys("/deployments/quarkus-run.jar", "/deployments/lib/boot",
                    "/deployments/quarkus/quarkus-application.dat");
        } else { // a sample: Jib's classpath layout, with Istio's sample arguments as the default command
            assertThat(image.files()).containsKey("/app/jib-classpath-file");
            assertThat(config.path("Cmd").size()).isEqualTo(2);
        }
    }

    /**
     * Compose's kafka-init runs BusSetup from the config-service image with a classpath of its own: the folders it
     * names are in that image, with the jars BusSetup needs (ComposeBusIT runs the same command on this host, from
     * the build the image copies).
     */
    @org.junit.jupiter.api.Test
    void kafkaInitFindsBusSetupInItsImage() throws IOException {
        assumeFalse(Boolean.getBoolean("kshift.images.skip"), "images skipped (-Dkshift.images.skip=true)");
        JsonNode init = Repo.yaml(Repo.path("docker-compose.yml")).path("services").path("kafka-init");
        String image = init.path("image").asText();
        assertThat(image).isEqualTo("kshift/config-service:" + Repo.VERSION);
        List<String> entrypoint = new ArrayList<>();
        init.path("entrypoint").forEach(e -> entrypoint.add(e.asText()));
        String classpath = entrypoint.get(entrypoint.indexOf("-cp") + 1);
        ImageTarball tarball = ImageTarball.read(Repo.path("config-service/target/jib-image.tar"));
        for (String entry : classpath.split(":")) {
            assertThat(entry).endsWith("/*");
            String dir = entry.substring(0, entry.length() - 1);
            assertThat(tarball.files().keySet()).as(entry).anyMatch(f -> f.startsWith(dir) && f.endsWith(".jar"));
        }
        assertThat(entrypoint).last().isEqualTo("io.kshift.model.bus.BusSetup");
        assertThat(tarball.files().keySet()).anyMatch(f -> f.matches("/deployments/lib/main/io\\.kshift\\.mesh-model-.*\\.jar"))
                .anyMatch(f -> f.matches("/deployments/lib/main/org\\.apache\\.kafka\\.kafka-clients-.*\\.jar"))
                .anyMatch(f -> f.matches("/deployments/lib/boot/org\\.jboss\\.logmanager\\.jboss-logmanager-.*\\.jar"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void everyImageSharesTheOneBase(String name, String tarball, List<Integer> ports) throws IOException {
        assumeFalse(Boolean.getBoolean("kshift.images.skip"), "images skipped (-Dkshift.images.skip=true)");
        ImageTarball base = ImageTarball.read(Repo.path("deploy/images/target/kshift-jre.tar"));
        ImageTarball image = ImageTarball.read(Repo.path(tarball));

        assertThat(image.layers().subList(0, base.layers().size())).as("the kshift/jre layers, byte for byte")
                .isEqualTo(base.layers());
        assertThat(image.files().get("/etc/passwd").uid()).as("system files stay root's").isZero();
        assertThat(image.files().get("/home/kshift").uid()).isEqualTo(1001);
    }
}
