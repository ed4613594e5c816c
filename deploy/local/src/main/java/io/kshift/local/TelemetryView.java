package io.kshift.local;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * What telemetry-service says of a service right now: its newest 10 s window (fleet-wide, per version), one line,
 * for the demos to print next to what the client saw. Reports reach it within about a second.
 */
final class TelemetryView {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());
    private final FleetLayout layout;
    private final KshiftClient client;

    TelemetryView(FleetLayout layout, KshiftClient client) {
        this.layout = layout;
        this.client = client;
    }

    String latest(String namespace, String service) {
        Fleet.sleep(1_500);
        KshiftClient.Answer a = client.get(layout.telemetryUrl() + "/api/v1/telemetry/" + namespace + "/" + service
                + "?window=10s&last=1");
        if (a.status() != 200 || a.body().size() == 0) {
            return "telemetry: no window yet (" + a.status() + ")";
        }
        JsonNode w = a.body().get(a.body().size() - 1);
        List<String> parts = new ArrayList<>();
        for (JsonNode v : w.path("versions")) {
            long units = v.path("requests").asLong() + v.path("connectionsOpened").asLong();
            parts.add(v.path("version").asText() + (v.path("shadow").asBoolean() ? " (mirror)" : "") + "=" + units
                    + (v.path("shadow").asBoolean() ? "" : String.format(" (%.1f%%)", v.path("sharePercent").asDouble()))
                    + (v.path("p99Ms").isNull() ? "" : " p99 " + v.path("p99Ms").asLong() + "ms"));
        }
        return String.format("telemetry, fleet-wide, window %s-%s%s: %s", TIME.format(Instant.parse(w.path("start")
                .asText())), TIME.format(Instant.parse(w.path("end").asText())), w.path("closed").asBoolean() ? ""
                : " (open)", String.join(", ", parts));
    }
}
