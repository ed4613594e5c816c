package io.kshift.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Each service's {@code Dockerfile.jvm} says it runs with the same JVM flags as the Jib image; they are written
 * out by hand there, so they drifted once (two flags missing). The parent pom's {@code kshift.jvm.flags} is the
 * one definition: every Dockerfile must carry all of it.
 */
class DockerfileFlagsTest {
    /** Maven runs a module's tests in its directory: deploy/local. */
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent().getParent();

    @Test
    void everyDockerfileCarriesThePomsJvmFlags() throws IOException {
        List<String> flags = Arrays.stream(pomFlags().split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .toList();
        assertThat(flags).as("kshift.jvm.flags, as the build filtered it").isNotEmpty()
                .noneMatch(f -> f.contains("${"));
        List<Path> dockerfiles;
        try (Stream<Path> modules = Files.list(ROOT)) {
            dockerfiles = modules.map(m -> m.resolve("src/main/docker/Dockerfile.jvm")).filter(Files::exists)
                    .toList();
        }
        assertThat(dockerfiles).extracting(p -> p.getParent().getParent().getParent().getParent().getFileName()
                .toString()).contains("proxy-service", "config-service", "validator-service", "telemetry-service");
        for (Path dockerfile : dockerfiles) {
            String options = Files.readAllLines(dockerfile).stream().filter(l -> l.startsWith("ENV JAVA_OPTS_APPEND="))
                    .findFirst().orElseThrow(() -> new AssertionError(dockerfile + " sets no JAVA_OPTS_APPEND"));
            List<String> given = Arrays.asList(options.replace("\"", "").substring(options.indexOf('=') + 1)
                    .split(" "));
            // In the same order: -XX:+UnlockExperimentalVMOptions must come before the flags it unlocks.
            assertThat(given).as(ROOT.relativize(dockerfile).toString()).containsSubsequence(flags);
        }
    }

    /** The pom's flags as the build filtered them into the launcher's resources (what {@code ./kshift up} uses). */
    private static String pomFlags() throws IOException {
        java.util.Properties p = new java.util.Properties();
        try (java.io.InputStream in = DockerfileFlagsTest.class.getResourceAsStream("/kshift-jvm.properties")) {
            assertThat(in).as("kshift-jvm.properties on the class path").isNotNull();
            p.load(in);
        }
        return p.getProperty("flags", "");
    }
}
