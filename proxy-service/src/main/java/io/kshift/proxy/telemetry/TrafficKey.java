package io.kshift.proxy.telemetry;

/**
 * What traffic is counted by: the destination service (with its namespace), version and subset, the listener it
 * came in on ({@code tcp:31400}, {@code http:31080}, {@code mesh}), the protocol, and whether it is mirrored.
 */
public record TrafficKey(String namespace, String service, String version, String subset, String listener,
                         String protocol, boolean shadow) {
}
