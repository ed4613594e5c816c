package io.kshift.model.istio;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** The retry conditions of Envoy's {@code x-envoy-retry-on} that kshift serves, and plain status codes. */
public record RetryOn(Set<Condition> conditions, Set<Integer> statuses) {
    static final String NAME = "(5xx|gateway-error|connect-failure|refused-stream|retriable-4xx|reset-before-request"
            + "|reset|http3-post-connect-failure|cancelled"
            + "|deadline-exceeded|internal|resource-exhausted|unavailable|retriable-status-codes|retriable-headers"
            + "|envoy-ratelimited|[1-5][0-9][0-9])";
    static final String PATTERN = "\\s*" + NAME + "\\s*(,\\s*" + NAME + "\\s*)*";

    /**
     * Istio's default when a route sets retries without {@code retryOn} (and for routes without retries):
     * {@code connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes} with 503 retriable.
     */
    public static final String DEFAULT = "connect-failure,refused-stream,unavailable,cancelled,503";

    public enum Condition {
        FIVE_XX("5xx"), GATEWAY_ERROR("gateway-error"), CONNECT_FAILURE("connect-failure"),
        REFUSED_STREAM("refused-stream"), RETRIABLE_4XX("retriable-4xx"), RESET("reset"),
        // A reset before any of the request went upstream (a failed connect, a refused stream): safe for any method.
        RESET_BEFORE_REQUEST("reset-before-request"),
        // Envoy's for HTTP/3 upstreams, which kshift does not speak: accepted, as Istio accepts it, and never holds.
        HTTP3_POST_CONNECT_FAILURE("http3-post-connect-failure"),
        // Envoy's x-envoy-retry-grpc-on: the grpc-status of a trailers-only answer.
        CANCELLED("cancelled"), DEADLINE_EXCEEDED("deadline-exceeded"), INTERNAL("internal"),
        RESOURCE_EXHAUSTED("resource-exhausted"), UNAVAILABLE("unavailable"),
        // Istio's own default names these: the listed codes are what retriable-status-codes retries (they are
        // parsed as codes), and Istio sets no retriable headers, so retriable-headers never holds.
        RETRIABLE_STATUS_CODES("retriable-status-codes"), RETRIABLE_HEADERS("retriable-headers"),
        // An answer carrying x-envoy-ratelimited, which no other condition retries.
        ENVOY_RATELIMITED("envoy-ratelimited");

        private final String text;

        Condition(String text) {
            this.text = text;
        }
    }

    /** Parses a validated {@code retryOn}. */
    public static RetryOn parse(String text) {
        EnumSet<Condition> conditions = EnumSet.noneOf(Condition.class);
        Set<Integer> statuses = new TreeSet<>();
        for (String part : (text == null ? DEFAULT : text).split(",")) {
            String p = part.trim().toLowerCase(Locale.ROOT);
            Arrays.stream(Condition.values()).filter(c -> c.text.equals(p)).findFirst().ifPresentOrElse(
                    conditions::add, () -> statuses.add(Integer.parseInt(p)));
        }
        return new RetryOn(Set.copyOf(conditions), Set.copyOf(statuses));
    }

    /** Whether a response with this status is retried. 409 is Envoy's only retriable 4xx. */
    public boolean retriesStatus(int status) {
        return statuses.contains(status)
                || (status >= 500 && conditions.contains(Condition.FIVE_XX))
                || ((status == 502 || status == 503 || status == 504) && conditions.contains(Condition.GATEWAY_ERROR))
                || (status == 409 && conditions.contains(Condition.RETRIABLE_4XX));
    }

    /**
     * Whether a gRPC answer with this {@code grpc-status} in its headers is retried (Envoy reads the status only
     * there: a trailers-only answer, which is how servers fail a call before answering it).
     */
    public boolean retriesGrpc(int grpcStatus) {
        return switch (grpcStatus) {
            case 1 -> conditions.contains(Condition.CANCELLED);
            case 4 -> conditions.contains(Condition.DEADLINE_EXCEEDED);
            case 8 -> conditions.contains(Condition.RESOURCE_EXHAUSTED);
            case 13 -> conditions.contains(Condition.INTERNAL);
            case 14 -> conditions.contains(Condition.UNAVAILABLE);
            default -> false;
        };
    }

    /** Whether an answer an upstream marked {@code x-envoy-ratelimited} is retried. */
    public boolean retriesRateLimited() {
        return conditions.contains(Condition.ENVOY_RATELIMITED);
    }

    /** Whether a failure to connect, or a connection reset before a response, is retried. */
    public boolean retriesConnectFailure() {
        return conditions.contains(Condition.CONNECT_FAILURE) || conditions.contains(Condition.FIVE_XX)
                || conditions.contains(Condition.GATEWAY_ERROR) || conditions.contains(Condition.RESET)
                || conditions.contains(Condition.REFUSED_STREAM) || conditions.contains(Condition.RESET_BEFORE_REQUEST);
    }

    /** Whether a reset after the request was sent (no response) is retried. */
    public boolean retriesReset() {
        return conditions.contains(Condition.RESET) || conditions.contains(Condition.FIVE_XX)
                || conditions.contains(Condition.GATEWAY_ERROR);
    }
}
