package io.kshift.config.change;

import java.util.Locale;

/**
 * The change endpoints' flag and number parameters, read from their text: JAX-RS would read {@code ?dryRun=All}
 * (kubectl's spelling) or a bare {@code ?dryRun} as false and make the change for real, and answer a non-numeric
 * {@code ifGeneration} or {@code to} with an empty 404. Each answers its value or the 400 message naming it.
 */
public final class QueryParams {
    /** A parsed parameter: {@code value}, or {@code problem} (a 400's message) when the text is not one. */
    public record Parsed<T>(T value, String problem) {
    }

    private QueryParams() {
    }

    /**
     * A parameter's text as sent: null when absent, empty for a bare {@code ?dryRun} or {@code ?ifGeneration=}
     * (which {@code @QueryParam} reads as absent: a bare {@code ?dryRun} would make the change for real).
     */
    public static String text(jakarta.ws.rs.core.UriInfo uri, String name) {
        var values = uri.getQueryParameters().get(name);
        if (values == null) {
            return null;
        }
        return values.isEmpty() || values.get(0) == null ? "" : values.get(0);
    }

    /** What the change endpoints take: {@code wait}, {@code waitFor}, {@code timeout}, {@code dryRun}, {@code ifGeneration}. */
    public static final java.util.List<String> CHANGE = java.util.List.of("dryRun", "ifGeneration", "wait", "waitFor",
            "timeout");

    /**
     * A 400's message naming the parameters of {@code uri} outside {@code known}, or null. A change endpoint must not
     * pass over one: {@code ?dry-run=true} (kubectl's flag) or {@code ?dryrun=true} would make the change for real.
     */
    public static String unknown(jakarta.ws.rs.core.UriInfo uri, java.util.List<String> known) {
        java.util.List<String> extra = uri.getQueryParameters().keySet().stream().filter(n -> !known.contains(n))
                .sorted().toList();
        return extra.isEmpty() ? null : "unknown query parameter" + (extra.size() == 1 ? " " : "s ")
                + String.join(", ", extra) + "; this endpoint takes " + String.join(", ", known);
    }

    /** {@code dryRun}: absent or {@code false} is a real change; {@code true} or {@code All} (any case) is not. */
    public static Parsed<Boolean> dryRun(String text) {
        if (text == null || text.equalsIgnoreCase("false")) {
            return new Parsed<>(false, null);
        }
        String t = text.toLowerCase(Locale.ROOT);
        if (t.equals("true") || t.equals("all")) {
            return new Parsed<>(true, null);
        }
        return new Parsed<>(null, "dryRun must be true (or All, as kubectl sends it) or false, not '" + text + "'");
    }

    /** A generation number ({@code ifGeneration}, {@code to}): absent is null. */
    public static Parsed<Long> generation(String name, String text) {
        if (text == null) {
            return new Parsed<>(null, null);
        }
        if (text.matches("[0-9]{1,18}")) {
            return new Parsed<>(Long.parseLong(text), null);
        }
        return new Parsed<>(null, name + " must be a generation number, not '" + text + "'");
    }
}
