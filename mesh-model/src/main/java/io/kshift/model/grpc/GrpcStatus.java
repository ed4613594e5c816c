package io.kshift.model.grpc;

import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;

/** gRPC's status codes (0 OK to 16 UNAUTHENTICATED), by name as Istio writes them or by number. */
public final class GrpcStatus {
    public static final List<String> NAMES = List.of("OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT",
            "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
            "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
            "UNAUTHENTICATED");

    /** Envoy's {@code Grpc::Utility::grpcToHttpStatus}, by code: what an answer with that status counts as. */
    private static final int[] HTTP = {200, 499, 500, 400, 504, 404, 409, 403, 429, 400, 409, 400, 501, 500, 503,
            500, 401};

    private GrpcStatus() {
    }

    /**
     * The gRPC status an HTTP status means (gRPC's HTTP-to-gRPC mapping, as Envoy's {@code httpToGrpcStatus}): 400
     * INTERNAL, 401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 404 UNIMPLEMENTED, 429, 502, 503 and 504 UNAVAILABLE,
     * anything else UNKNOWN.
     */
    public static int fromHttp(int status) {
        return switch (status) {
            case 400 -> 13;
            case 401 -> 16;
            case 403 -> 7;
            case 404 -> 12;
            case 429, 502, 503, 504 -> 14;
            default -> 2;
        };
    }

    /** The HTTP status a gRPC status counts as (Envoy's mapping): UNAVAILABLE 503, DEADLINE_EXCEEDED 504, ... */
    public static int httpStatus(int code) {
        return code >= 0 && code < HTTP.length ? HTTP[code] : 500;
    }

    /** {@code UNAVAILABLE} or {@code 14}: the code; empty for anything else. */
    public static OptionalInt parse(String text) {
        if (text == null) {
            return OptionalInt.empty();
        }
        String t = text.trim();
        int byName = NAMES.indexOf(t.toUpperCase(Locale.ROOT));
        if (byName >= 0) {
            return OptionalInt.of(byName);
        }
        if (!t.isEmpty() && t.length() <= 2 && t.chars().allMatch(Character::isDigit)) {
            int n = Integer.parseInt(t);
            return n <= 16 ? OptionalInt.of(n) : OptionalInt.empty();
        }
        return OptionalInt.empty();
    }
}
