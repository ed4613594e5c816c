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
     * Whether moving from {@code other} to this needs new sockets (not just new certificates): whether clients are
     * asked for certificates, and whether they must present one, are server options that new TLS options do not
     * change (what their certificates are checked against is a TLS option, changed in place). Reopening closes the
     * port's live connections: they were admitted under the old rule.
     */
    public boolean reopens(ListenerSpec other) {
        return other == null || protocol != other.protocol() || (tls == null) != (other.tls() == null)
                || tls != null && tls.serverClientAuth() != other.tls().serverClientAuth();
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
