package io.kshift.registry.support;

import io.kshift.testkit.EmbeddedKafka;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real validator (its packaged app, built earlier in the reactor) on the test broker, so the adapter's
 * changes meet the same rules an operator's do. {@link #start()} returns once the validator is ready (its change
 * loop polls): on a loaded machine a JVM start takes longer than the adapter's verdict timeout, and a change the
 * adapter sends before then would be resent, which is not what the tests are about.
 */
public final class ValidatorProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("Listening on: http://[^:\\s]+:(\\d+)");
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
        long logStart = Files.exists(log) ? Files.size(log) : 0;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-Dkafka.bootstrap.servers=" + EmbeddedKafka.bootstrapServers(),
                "-Dquarkus.http.port=0", "-jar", jar.toString()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        ValidatorProcess validator = new ValidatorProcess(p);
        try {
            validator.awaitReady(log, logStart, Duration.ofSeconds(90));
        } catch (Exception | Error e) {
            validator.close();
            throw e;
        }
        return validator;
    }

    private void awaitReady(Path log, long logStart, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        HttpClient http = HttpClient.newHttpClient();
        Integer port = null;
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the validator exited (" + process.exitValue() + "); see " + log);
            }
            if (port == null) {
                port = listeningPort(log, logStart);
            }
            if (port != null) {
                try {
                    HttpResponse<Void> ready = http.send(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                    if (ready.statusCode() == 200) {
                        return;
                    }
                } catch (java.io.IOException e) {
                    // not listening yet
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the validator was not ready within " + timeout + "; see " + log);
    }

    private static Integer listeningPort(Path log, long from) throws java.io.IOException {
        byte[] all = Files.readAllBytes(log);
        String fresh = new String(all, (int) Math.min(from, all.length), (int) Math.max(0, all.length - from),
                StandardCharsets.UTF_8);
        Matcher m = LISTENING.matcher(fresh);
        return m.find() ? Integer.valueOf(m.group(1)) : null;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
