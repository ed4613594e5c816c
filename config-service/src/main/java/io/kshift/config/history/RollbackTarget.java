package io.kshift.config.history;

import com.fasterxml.jackson.databind.JsonNode;
import io.kshift.model.codec.Codecs;

/**
 * The generation a rollback asks for: {@code {"to": n}} as {@code application/json}, or {@code ?to=n} with no
 * body (and then no content type, or JSON). A form or text body is what a web page can post cross-site without a
 * preflight, so it is refused (415) whatever it holds. {@code problem} set: the HTTP status and why.
 */
record RollbackTarget(long generation, int status, String problem) {
    static RollbackTarget of(byte[] body, String contentType, Long query) {
        boolean hasBody = body != null && body.length > 0;
        String type = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
        if (!type.isEmpty() && !type.equals("application/json")) {
            return refused(415, "a rollback takes application/json ({\"to\": n}) or ?to=n with no body, not "
                    + contentType);
        }
        if (!hasBody) {
            return query == null ? refused(400, "rollback needs a target: {\"to\": n} or ?to=n")
                    : new RollbackTarget(query, 0, null);
        }
        if (type.isEmpty()) {
            return refused(415, "a rollback body must be sent as Content-Type: application/json");
        }
        JsonNode to;
        try {
            to = Codecs.json().readTree(body).path("to");
        } catch (java.io.IOException e) {
            return refused(400, "the body is not JSON: " + e.getMessage());
        }
        if (!to.canConvertToLong() || !to.isIntegralNumber()) {
            return refused(400, "the body must be {\"to\": <generation>}");
        }
        if (query != null && query != to.asLong()) {
            return refused(400, "the body says to=" + to.asLong() + " but the query says to=" + query);
        }
        return new RollbackTarget(to.asLong(), 0, null);
    }

    private static RollbackTarget refused(int status, String why) {
        return new RollbackTarget(0, status, why);
    }
}
