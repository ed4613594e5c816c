package io.kshift.proxy.routing;

import io.kshift.proxy.tls.ServerTls;

/**
 * What a data port serves: its protocol and, for an HTTP port that terminates TLS (HTTPS), with what certificates.
 * A TLS port's certificates are per chain, in the route table, so they are not here; what each chain holds its
 * clients to is ({@code chainRules}: the chain's server names, joined, to its client auth, or {@code passthrough}).
 */
public record ListenerSpec(ListenerProtocol protocol, ServerTls tls, java.util.Map<String, String> chainRules) {
    public ListenerSpec {
        chainRules = java.util.Map.copyOf(chainRules);
    }

    public ListenerSpec(ListenerProtocol protocol, ServerTls tls) {
        this(protocol, tls, java.util.Map.of());
    }

    public static ListenerSpec of(ListenerProtocol protocol) {
        return new ListenerSpec(protocol, null);
    }

    /** A TLS port, with what each of its chains holds clients to. */
    public static ListenerSpec tls(io.kshift.proxy.tls.TlsPortTable table) {
        java.util.Map<String, String> rules = new java.util.HashMap<>();
        for (var chain : table.chains()) {
            rules.put(String.join(",", chain.serverNames()), chain.termination() == null ? "passthrough"
                    : chain.termination().clientAuth().name());
        }
        return new ListenerSpec(ListenerProtocol.TLS, null, rules);
    }

    /**
     * Whether moving from {@code other} to this needs new sockets (not just new certificates): how clients are held
     * to certificates (asked or not, required or not, let through unverified or not). Reopening closes the port's
     * live connections, which were admitted under the old rule: a connection let in with a certificate that did not
     * chain must not go on where that is no longer allowed. New CAs alone are changed in place. On a TLS port the same
     * holds per chain: one that both tables have and that changed how it holds clients reopens the port (a chain
     * added or gone does not: routes change without cutting connections).
     */
    public boolean reopens(ListenerSpec other) {
        return other == null || protocol != other.protocol() || (tls == null) != (other.tls() == null)
                || tls != null && tls.clientAuth() != other.tls().clientAuth()
                || chainRules.entrySet().stream().anyMatch(c -> other.chainRules().containsKey(c.getKey())
                        && !other.chainRules().get(c.getKey()).equals(c.getValue()));
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
