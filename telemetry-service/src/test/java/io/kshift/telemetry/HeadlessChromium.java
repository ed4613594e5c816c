package io.kshift.telemetry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's Chromium, headless, driven over the DevTools protocol with the JDK's own WebSocket client: open a page,
 * evaluate JavaScript in it. Nothing is downloaded; the browser is the machine's.
 */
final class HeadlessChromium implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/chromium");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on ws://([^/]+)/");

    private final Process process;
    private final WebSocket page;
    private final AtomicInteger ids = new AtomicInteger();
    private volatile CompletableFuture<JsonNode> reply;

    HeadlessChromium(String url) throws Exception {
        Path profile = Files.createTempDirectory("chromium-profile");
        process = new ProcessBuilder(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--remote-debugging-port=0", url).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        String address = devToolsAddress();
        HttpClient http = HttpClient.newHttpClient();
        JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://" + address + "/json/list"))
                .build(), HttpResponse.BodyHandlers.ofString()).body());
        String socket = null;
        for (JsonNode t : targets) {
            if (t.path("type").asText().equals("page")) {
                socket = t.path("webSocketDebuggerUrl").asText();
            }
        }
        page = http.newWebSocketBuilder().buildAsync(URI.create(socket), new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    try {
                        JsonNode message = JSON.readTree(text.toString());
                        if (message.has("id") && reply != null) {
                            reply.complete(message);
                        }
                    } catch (Exception e) {
                        reply.completeExceptionally(e);
                    }
                    text.setLength(0);
                }
                ws.request(1);
                return null;
            }
        }).get(10, TimeUnit.SECONDS);
    }

    private String devToolsAddress() throws Exception {
        BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String line;
        while (System.nanoTime() < deadline && (line = err.readLine()) != null) {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> {
                    try {
                        err.transferTo(java.io.Writer.nullWriter());
                    } catch (java.io.IOException ignored) {
                        // the browser went away
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return m.group(1);
            }
        }
        throw new IllegalStateException("Chromium did not open its DevTools port");
    }

    /** The value of a JavaScript expression in the page, as a string. */
    synchronized String evaluate(String expression) throws Exception {
        reply = new CompletableFuture<>();
        String request = JSON.writeValueAsString(JSON.createObjectNode().put("id", ids.incrementAndGet())
                .put("method", "Runtime.evaluate").set("params", JSON.createObjectNode()
                        .put("expression", expression).put("returnByValue", true)));
        page.sendText(request, true).get(5, TimeUnit.SECONDS);
        return reply.get(10, TimeUnit.SECONDS).path("result").path("result").path("value").asText();
    }

    @Override
    public void close() {
        page.abort();
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
