package io.kshift.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * Records any producer with access to a topic can write, none of them an event: what every consumer must survive
 * (skip visibly, keep what it had, go on). Tests send {@link #pills(int)} to each topic a service reads, then an
 * ordinary event, and assert the ordinary one is still served.
 */
public final class Poison {
    /** One bad record: what it is and its value ({@code null}: a tombstone). */
    public record Pill(String kind, String value) {
        @Override
        public String toString() {
            return kind;
        }
    }

    private Poison() {
    }

    /**
     * Every kind, with an oversized one of about {@code oversizedBytes} (the most the topic takes, so the record
     * really reaches the consumer): not JSON, empty, a tombstone, JSON of another shape, an object with fields of
     * the wrong types, an empty object (every field missing), nesting deeper than any parser should follow, and a
     * huge string.
     */
    public static List<Pill> pills(int oversizedBytes) {
        List<Pill> pills = new ArrayList<>(List.of(
                new Pill("not JSON", "\u0000\u00ffthis is { not json"),
                new Pill("empty", ""),
                new Pill("tombstone", null),
                new Pill("JSON of another shape", "[1, \"two\", {\"three\": 3}]"),
                new Pill("wrong types", "{\"schema\": 7, \"generation\": \"many\", \"nodeId\": [1], "
                        + "\"changeId\": {}, \"status\": \"MAYBE\", \"resources\": \"all\", \"createdAt\": true}"),
                new Pill("missing fields", "{}"),
                new Pill("deep nesting", "[".repeat(50_000))));
        pills.add(oversized(oversizedBytes));
        return pills;
    }

    /** A JSON object carrying one string of about {@code bytes} bytes. */
    public static Pill oversized(int bytes) {
        return new Pill("oversized (" + bytes / 1024 + " KiB)", "{\"junk\": \"" + "x".repeat(Math.max(0, bytes - 16))
                + "\"}");
    }
}
