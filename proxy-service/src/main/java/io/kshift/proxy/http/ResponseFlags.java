package io.kshift.proxy.http;

/**
 * Why the proxy answered instead of (or despite) an upstream, in Envoy's response-flag letters, sent back in
 * {@value #HEADER} so a client (and a test) can tell a backend's 503 from a circuit breaker's.
 */
final class ResponseFlags {
    static final String HEADER = "x-kshift-response-flags";
    /** No route matched the request. */
    static final String NO_ROUTE = "NR";
    /** An abort fault answered. */
    static final String FAULT_ABORT = "FI";
    /** A delay fault held the request. */
    static final String FAULT_DELAY = "DI";
    /** A circuit breaker (connection pool limit) refused the request. */
    static final String OVERFLOW = "UO";
    /** No endpoint accepted a connection. */
    static final String CONNECT_FAILURE = "UF";
    /** The route timeout (or the last try's) expired. */
    static final String TIMEOUT = "UT";
    /** Every endpoint is ejected by outlier detection and none could be tried. */
    static final String NO_HEALTHY = "UH";
    /** The share of a route destination this node could not resolve: Envoy's "no cluster found". */
    static final String NO_CLUSTER = "NC";
    /** The request body was over {@code kshift.proxy.http.max-request-body}: 413. */
    static final String BODY_LIMIT = "BL";
    /** The node's budget for buffered request bodies was spent: 503 (Envoy's overload-manager flag). */
    static final String OVERLOAD = "OM";
    /** Nothing moved either way for {@code kshift.proxy.http.stream-idle-timeout}: 408, or a reset once answering. */
    static final String STREAM_IDLE = "SI";
    /** The upstream reset the request before answering. */
    static final String RESET = "UR";
    /** Envoy's IH: a header value that cannot be written (one holding a line break). */
    static final String INVALID_HEADER = "IH";
    /** Envoy's DPE: the client's request is malformed HTTP (an HTTP/2 field value with CR or LF, say). */
    static final String DOWNSTREAM_PROTOCOL = "DPE";
    /** A retriable answer went back because the route's retries were used up (Envoy's UpstreamRetryLimitExceeded). */
    static final String RETRY_LIMIT = "URX";
    /** The client went away before its answer was whole (Envoy's downstream connection termination). */
    static final String DOWNSTREAM_DISCONNECT = "DC";

    private ResponseFlags() {
    }
}
