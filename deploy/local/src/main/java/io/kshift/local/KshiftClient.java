package io.kshift.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.kshift.model.codec.Codecs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * What the demo, the benchmarks, the CLI's API commands and the end-to-end test say to a fleet over HTTP: apply
 * and delete YAML, read proxy nodes — with the fleet's token ({@link LocalCredentials#token}).
 */
public final class KshiftClient {
    /** An HTTP answer with its JSON body. */
    public record Answer(int status, JsonNode body) {
        public String describe() {
            StringBuilder sb = new StringBuilder().append(status).append(' ').append(body.path("status").asText(""));
            if (body.has("generation") && !body.get("generation").isNull()) {
                sb.append(" generation ").append(body.get("generation").asLong());
            }
            // A refusal before any verdict (a body that is not YAML, a missing role, an unknown generation, a
            // change Kafka may still decide) says why in its message alone.
            if (body.hasNonNull("message")) {
                sb.append("\n    ").append(body.get("message").asText());
                if (body.path("line").asInt() > 0) {
                    sb.append(" (line ").append(body.get("line").asInt()).append(", column ")
                            .append(body.path("column").asInt()).append(')');
                }
                if (body.hasNonNull("needed")) {
                    sb.append(" (needs ").append(body.get("needed").asText()).append(')');
                }
            }
            for (JsonNode r : body.path("resources")) {
                sb.append("\n    ").append(r.path("kind").asText()).append(' ').append(r.path("namespace").asText())
                        .append('/').append(r.path("name").asText()).append(' ')
                        .append(r.path("action").asText("").toLowerCase(java.util.Locale.ROOT));
            }
            for (JsonNode e : body.path("errors")) {
                sb.append("\n    error: ").append(e.path("resource").asText()).append(": ")
                        .append(e.path("field").asText()).append(": ").append(e.path("message").asText());
            }
            for (JsonNode w : body.path("warnings")) {
                sb.append("\n    warning: ").append(w.path("resource").asText()).append(": ")
                        .append(w.path("field").asText()).append(": ").append(w.path("message").asText());
            }
            return sb.toString();
        }
    }

    /** HTTP/1.1: Java's default opens each connection with an h2c upgrade, HTTP/2 machinery for one call. */
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1).build();
    private final FleetLayout layout;
    private final String token;

    public KshiftClient(FleetLayout layout) {
        this(layout, LocalCredentials.token(layout));
    }

    /** Speaking as the subject of {@code token} rather than the fleet's admin. */
    public KshiftClient(FleetLayout layout, String token) {
        this.layout = layout;
        this.token = token;
    }

    public Answer apply(byte[] yaml) {
        return post("/api/v1/apply?wait=10s", yaml);
    }

    /** Submits without waiting for the verdict (202 PENDING with the changeId). */
    public Answer submit(byte[] yaml) {
        return post("/api/v1/apply", yaml);
    }

    public Answer delete(byte[] yaml) {
        return post("/api/v1/delete?wait=10s", yaml);
    }

    public Answer post(String path, byte[] yaml) {
        return send(HttpRequest.newBuilder(URI.create(layout.configUrl() + path))
                .header("Content-Type", "application/yaml").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(yaml)).build());
    }

    /** A POST with an {@code Idempotency-Key}: a retry with the same key gets the first request's answer. */
    public Answer post(String path, byte[] yaml, String idempotencyKey) {
        return send(HttpRequest.newBuilder(URI.create(layout.configUrl() + path))
                .header("Content-Type", "application/yaml").header("Idempotency-Key", idempotencyKey)
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(yaml)).build());
    }

    /** A POST with a JSON body (rollback's {@code {"to": n}}). */
    public Answer postJson(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(layout.configUrl() + path))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    /** An answer as text, in the media type asked for (YAML for {@code ./kshift get}). */
    public record Text(int status, String body) {
    }

    public Text getText(String url, String accept) {
        HttpRequest request = authorized(HttpRequest.newBuilder(URI.create(url)).header("Accept", accept)
                .timeout(Duration.ofSeconds(10)).GET().build());
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Text(r.statusCode(), r.body().endsWith("\n") || r.body().isEmpty() ? r.body() : r.body() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(request.uri() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Answer get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build());
    }

    /** Each proxy node's own view: {@code GET /api/v1/node} on its admin port. */
    public List<JsonNode> nodes() {
        return layout.proxyAdminPorts().stream()
                .map(p -> get("http://" + layout.host() + ":" + p + "/api/v1/node").body()).toList();
    }

    /** Waits until every proxy node runs {@code generation}; returns how long that took. */
    public Duration awaitSynced(long generation, Duration timeout) {
        long start = System.nanoTime();
        while (System.nanoTime() - start < timeout.toNanos()) {
            if (nodes().stream().allMatch(n -> n.path("status").path("generation").asLong() >= generation)) {
                return Duration.ofNanos(System.nanoTime() - start);
            }
            Fleet.sleep(5);
        }
        throw new IllegalStateException("proxies did not reach generation " + generation + " in " + timeout);
    }

    private HttpRequest authorized(HttpRequest request) {
        return token.isEmpty() ? request : HttpRequest.newBuilder(request, (name, value) -> true)
                .header("Authorization", "Bearer " + token).build();
    }

    private Answer send(HttpRequest unauthorized) {
        HttpRequest request = authorized(unauthorized);
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode body = r.body().isBlank() ? Codecs.json().createObjectNode() : Codecs.json().readTree(r.body());
            return new Answer(r.statusCode(), body);
        } catch (IOException e) {
            throw new UncheckedIOException(request.uri() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
