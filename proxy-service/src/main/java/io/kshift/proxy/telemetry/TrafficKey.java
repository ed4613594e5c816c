package io.kshift.proxy.telemetry;

/**
 * What traffic is counted by: the destination service (with its namespace), version and subset, the listener it
 * came in on ({@code tcp:31400}, {@code http:31080}, {@code udp:5353}, {@code mesh}), the protocol ({@code tcp},
 * {@code http}, {@code udp}), and whether it is mirrored.
 */
public record TrafficKey(String namespace, String service, String version, String subset, String listener,
                         String protocol, boolean shadow) {

    /** Counted as connections (TCP connections, UDP sessions) with durations, not as requests with latencies. */
    public boolean connectionOriented() {
        return !protocol.equals("http");
    }
}
