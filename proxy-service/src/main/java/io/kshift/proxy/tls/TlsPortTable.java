package io.kshift.proxy.tls;

import io.kshift.proxy.routing.ListenerRoute;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A TLS port's filter chains, as built from one snapshot: a connection's SNI picks the chain (an exact server name
 * first, then the longest {@code *.} wildcard, then {@code *}, as Envoy's server-name matching), the chain
 * terminates it or not, and its routes pick the destination by SNI the same way.
 */
public record TlsPortTable(int port, List<Chain> chains) {

    /** {@code termination}: null to pass the bytes through untouched. */
    public record Chain(List<String> serverNames, ServerTls termination, List<SniRoute> routes) {
        /**
         * The route for {@code sni} (null: none sent): the most specific of those whose names take it, as among
         * chains (Istio makes a filter chain of each route's {@code sniHosts}, and Envoy picks the most specific
         * server name whatever the order); among equals, the first (routes come oldest first).
         */
        public Optional<ListenerRoute> route(String sni) {
            String name = sni == null ? null : sni.toLowerCase(Locale.ROOT);
            SniRoute best = null;
            int bestScore = -1;
            for (SniRoute r : routes) {
                for (String h : r.sniHosts()) {
                    int score = score(h, name);
                    if (score > bestScore) {
                        best = r;
                        bestScore = score;
                    }
                }
            }
            return Optional.ofNullable(best).map(SniRoute::route);
        }
    }

    /** {@code route} null: none of its destinations resolves on this node; connections it takes are closed. */
    public record SniRoute(List<String> sniHosts, ListenerRoute route) {
    }

    /** The chain for {@code sni}: exact name, then the most specific wildcard, then {@code *}; empty if none. */
    public Optional<Chain> chain(String sni) {
        String name = sni == null ? null : sni.toLowerCase(Locale.ROOT);
        Chain best = null;
        int bestScore = -1;
        for (Chain c : chains) {
            for (String n : c.serverNames()) {
                int score = score(n, name);
                if (score > bestScore) {
                    best = c;
                    bestScore = score;
                }
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * How specifically {@code pattern} takes {@code name} (lower case; null: no SNI): -1 not at all, 0 for
     * {@code *}, a {@code *.} wildcard by its length, an exact name above all.
     */
    static int score(String pattern, String name) {
        String p = pattern.toLowerCase(Locale.ROOT);
        return p.equals("*") ? 0
                : name == null ? -1
                : p.equals(name) ? Integer.MAX_VALUE
                : p.startsWith("*.") && name.endsWith(p.substring(1)) ? p.length() : -1;
    }
}
