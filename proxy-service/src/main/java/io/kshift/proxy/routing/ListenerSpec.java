package io.kshift.proxy.routing;

import io.kshift.proxy.tls.ServerTls;

/**
 * What a data port serves: its protocol and, for an HTTP port that terminates TLS (HTTPS), with what certificates.
 * A TLS port's certificates are per chain, in the route table, so they are not here.
 */
public record ListenerSpec(ListenerProtocol protocol, ServerTls tls) {
    public static ListenerSpec of(ListenerProtocol protocol) {
        return new ListenerSpec(protocol, null);
    }

    /**
     * Whether moving from {@code other} to this needs new sockets (not just new certificates): how clients are held
     * to certificates (asked or not, required or not, let through unverified or not). Reopening closes the port's
     * live connections, which were admitted under the old rule: a connection let in with a certificate that did not
     * chain must not go on where that is no longer allowed. New CAs alone are changed in place.
     */
    public boolean reopens(ListenerSpec other) {
        return other == null || protocol != other.protocol() || (tls == null) != (other.tls() == null)
                || tls != null && tls.clientAuth() != other.tls().clientAuth();
    }

    /** {@code tcp}, {@code http}, {@code https} or {@code tls}: how listeners are named in a node's status. */
    public String name() {
        return switch (protocol) {
            case TCP -> "tcp";
            case HTTP -> tls == null ? "http" : "https";
            case TLS -> "tls";
        };
    }
}
