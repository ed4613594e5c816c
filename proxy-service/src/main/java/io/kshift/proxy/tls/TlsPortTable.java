package io.kshift.proxy.tls;

import io.kshift.model.routing.HostNames;
import io.kshift.proxy.routing.ListenerRoute;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A TLS port's filter chains, as built from one snapshot: a connection's SNI picks the chain (an exact server name
 * first, then the longest {@code *.} wildcard, then {@code *}, as Envoy's server-name matching), the chain
 * terminates it or not, and its routes pick the destination by SNI in order.
 */
public record TlsPortTable(int port, List<Chain> chains) {

    /** {@code termination}: null to pass the bytes through untouched. */
    public record Chain(List<String> serverNames, ServerTls termination, List<SniRoute> routes) {
        /** The route for {@code sni} (null: none sent), the first whose names take it. */
        public Optional<ListenerRoute> route(String sni) {
            for (SniRoute r : routes) {
                if (r.sniHosts().stream().anyMatch(h -> "*".equals(h) || sni != null && HostNames.matches(h, sni))) {
                    return Optional.of(r.route());
                }
            }
            return Optional.empty();
        }
    }

    public record SniRoute(List<String> sniHosts, ListenerRoute route) {
    }

    /** The chain for {@code sni}: exact name, then the most specific wildcard, then {@code *}; empty if none. */
    public Optional<Chain> chain(String sni) {
        String name = sni == null ? null : sni.toLowerCase(Locale.ROOT);
        Chain best = null;
        int bestScore = -1;
        for (Chain c : chains) {
            for (String n : c.serverNames()) {
                String pattern = n.toLowerCase(Locale.ROOT);
                int score = pattern.equals("*") ? 0
                        : name == null ? -1
                        : pattern.equals(name) ? Integer.MAX_VALUE
                        : pattern.startsWith("*.") && name.endsWith(pattern.substring(1)) ? pattern.length() : -1;
                if (score > bestScore) {
                    best = c;
                    bestScore = score;
                }
            }
        }
        return Optional.ofNullable(best);
    }
}
