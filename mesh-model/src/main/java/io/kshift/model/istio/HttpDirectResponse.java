package io.kshift.model.istio;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Istio's {@code directResponse}: the proxy answers the request itself with this status and body, forwarding
 * nothing (a maintenance page, a fixed 404, the Gateway API's 500 for a rule without backends).
 */
public record HttpDirectResponse(
        @NotNull @Min(value = 200, message = "must be between 200 and 599")
        @Max(value = 599, message = "must be between 200 and 599") Integer status,
        @Valid Body body) {

    /** Istio's cap on a direct response body (Envoy's {@code max_direct_response_body_size_bytes} as Istio sets it). */
    public static final int MAX_BODY_BYTES = 1024 * 1024;

    /** Istio's {@code HTTPBody}: text ({@code string}) or base64 ({@code bytes}), one of them. */
    public record Body(String string, String bytes) {

        /** The body's bytes; throws IllegalArgumentException when {@code bytes} is not base64. */
        public byte[] content() {
            if (string != null) {
                return string.getBytes(StandardCharsets.UTF_8);
            }
            return bytes == null ? new byte[0] : Base64.getDecoder().decode(bytes);
        }
    }
}
