package io.kshift.proxy.routing;

import io.kshift.proxy.tls.ServerTls;

/**
 * What a data port serves: its protocol and, for an HTTP port that terminates TLS (HTTPS), with what certificates.
 * A TLS port's certificates are per chain, in the route table, so they are not here; what each server name's chain
 * holds its clients to is ({@code chainRules}: name to client auth, or {@code passthrough}).
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

    /** The rule of a name whose chain's certificates did not load: it serves nothing, so it holds nobody. */
    static final String UNLOADED = "unloaded";

    /**
     * A TLS port, with what it holds each server name's clients to: its chain's client auth, or {@code passthrough};
     * {@link #UNLOADED} where the chain's certificates did not load (a broken Secret does not reopen the port, and its
     * names keep the rule they had: {@link #remembering}).
     */
    public static ListenerSpec tls(io.kshift.proxy.tls.TlsPortTable table) {
        java.util.Map<String, String> rules = new java.util.HashMap<>();
        for (var chain : table.chains()) {
            String rule = chain.termination() != null ? chain.termination().clientAuth().name()
                    : chain.routes().isEmpty() ? UNLOADED : "passthrough";
            // The first chain naming a name takes its connections (TlsPortTable.chain), so its rule is the name's.
            chain.serverNames().forEach(n -> rules.putIfAbsent(n.toLowerCase(java.util.Locale.ROOT), rule));
        }
        return new ListenerSpec(ListenerProtocol.TLS, null, rules);
    }

    /**
     * This spec, with {@code before}'s rule for each of its names whose chain did not load: their live connections
     * came in under that rule, and the chain fixed with another must reopen the port. Names no longer on the port
     * are forgotten (so what is remembered stays bounded by the port's names).
     */
    public ListenerSpec remembering(ListenerSpec before) {
        if (before == null || !chainRules.containsValue(UNLOADED)) {
            return this;
        }
        java.util.Map<String, String> rules = new java.util.HashMap<>(chainRules);
        chainRules.forEach((name, rule) -> {
            String was = before.chainRules().get(name);
            if (rule.equals(UNLOADED) && was != null) {
                rules.put(name, was);
            }
        });
        return new ListenerSpec(protocol, tls, rules);
    }

    /**
     * Whether moving from {@code other} to this needs new sockets (not just new certificates): how clients are held
     * to certificates (asked or not, required or not, let through unverified or not). Reopening closes the port's
     * live connections, which were admitted under the old rule: a connection let in with a certificate that did not
     * chain must not go on where that is no longer allowed. New CAs alone are changed in place. On a TLS port the same
     * holds per server name: a name whose rule changed reopens the port (a name added or gone does not: routes
     * change without cutting connections; a chain that did not load neither, and {@code other} keeps the rule its
     * names had, {@link #remembering}).
     */
    public boolean reopens(ListenerSpec other) {
        return other == null || protocol != other.protocol() || (tls == null) != (other.tls() == null)
                || tls != null && tls.clientAuth() != other.tls().clientAuth()
                || chainRules.entrySet().stream().anyMatch(c -> !c.getValue().equals(UNLOADED)
                        && other.chainRules().containsKey(c.getKey())
                        && !other.chainRules().get(c.getKey()).equals(UNLOADED)
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
