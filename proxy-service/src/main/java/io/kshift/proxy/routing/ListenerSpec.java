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
     * Whether moving from {@code other} to this needs new sockets (not just new certificates): how clients are asked
     * for certificates is a server option that new TLS options do not change.
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
