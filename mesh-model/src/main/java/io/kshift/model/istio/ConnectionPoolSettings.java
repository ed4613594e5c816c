package io.kshift.model.istio;

import io.kshift.model.constraint.IstioDurationValue;
import jakarta.validation.Valid;
import jakarta.validation.constraints.PositiveOrZero;

/** {@code connectionPool}: limits toward each upstream host; a request over a limit fails fast (circuit breaking). */
public record ConnectionPoolSettings(@Valid TcpSettings tcp, @Valid HttpSettings http) {

    public ConnectionPoolSettings(TcpSettings tcp) {
        this(tcp, null);
    }

    /**
     * {@code connectTimeout} bounds connecting to an endpoint; {@code maxConnectionDuration}, when set, closes a
     * connection that old, so long-lived connections come back and land on the current weights.
     */
    public record TcpSettings(@PositiveOrZero(message = "must not be negative") Integer maxConnections,
                              @IstioDurationValue String connectTimeout,
                              @IstioDurationValue String maxConnectionDuration,
                              @IstioDurationValue String idleTimeout,
                              @Valid TcpKeepalive tcpKeepalive) {

        public TcpSettings(String connectTimeout, String maxConnectionDuration) {
            this(null, connectTimeout, maxConnectionDuration, null, null);
        }
    }

    /**
     * {@code tcpKeepalive}: SO_KEEPALIVE on connections to the upstream, with the probes sent before the connection
     * is declared dead, the idle time before the first probe and the time between probes (the OS defaults for
     * whatever is left out; times over the kernel's 32767 s are clamped to it).
     */
    public record TcpKeepalive(@PositiveOrZero(message = "must not be negative")
                               @jakarta.validation.constraints.Max(value = 127, message = "must be at most 127 (the kernel's limit)")
                               Integer probes,
                               @IstioDurationValue String time,
                               @IstioDurationValue String interval) {
    }

    /** HTTP limits toward the destination, as Envoy's circuit breakers count them. */
    public record HttpSettings(@PositiveOrZero(message = "must not be negative") Integer http1MaxPendingRequests,
                               @PositiveOrZero(message = "must not be negative") Integer http2MaxRequests,
                               @PositiveOrZero(message = "must not be negative") Integer maxRequestsPerConnection,
                               @PositiveOrZero(message = "must not be negative") Integer maxRetries,
                               @IstioDurationValue String idleTimeout,
                               @PositiveOrZero(message = "must not be negative") Integer maxConcurrentStreams,
                               H2UpgradePolicy h2UpgradePolicy, Boolean useClientProtocol) {

        /** Istio: whether HTTP/1.1 requests go to the destination over HTTP/2 ({@code DEFAULT}: the mesh's default, no). */
        public enum H2UpgradePolicy { DEFAULT, DO_NOT_UPGRADE, UPGRADE }
    }
}
