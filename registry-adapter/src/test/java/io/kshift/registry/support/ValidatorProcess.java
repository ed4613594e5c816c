package io.kshift.registry.support;

import io.kshift.testkit.EmbeddedKafka;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The real validator (its packaged app, built earlier in the reactor) on the test broker, so the adapter's
 * changes meet the same rules an operator's do.
 */
public final class ValidatorProcess implements AutoCloseable {
    private final Process process;

    private ValidatorProcess(Process process) {
        this.process = process;
    }

    public static ValidatorProcess start() throws Exception {
        Path jar = Path.of("..", "validator-service", "target", "quarkus-app", "quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build validator-service first (./mvnw install)");
        }
        Path log = Files.createDirectories(Path.of("target")).resolve("validator.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-Dkafka.bootstrap.servers=" + EmbeddedKafka.bootstrapServers(),
                "-Dquarkus.http.port=0", "-jar", jar.toString()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        return new ValidatorProcess(p);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
