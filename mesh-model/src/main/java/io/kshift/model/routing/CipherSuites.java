package io.kshift.model.routing;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Istio's {@code cipherSuites} for a Gateway server: the TLS 1.2 (and older) suites a listener offers, by the names
 * Envoy's BoringSSL takes, in order of preference; an equal-preference group {@code [A|B]} offers its members in the
 * order written. Names Istio does not know are left out (Istio warns and ignores them too); TLS 1.3's suites are not
 * configurable and always offered.
 */
public final class CipherSuites {
    /** What Istio's validation takes: the suites Envoy serves for TLS 1.2 and below. */
    public static final Set<String> KNOWN = Set.of(
            "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
            "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
            "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
            "AES256-GCM-SHA384", "AES128-GCM-SHA256",
            "ECDHE-ECDSA-AES128-SHA", "ECDHE-RSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA", "ECDHE-RSA-AES256-SHA",
            "AES128-SHA", "AES256-SHA", "DES-CBC3-SHA");

    private CipherSuites() {
    }

    /**
     * The suites to offer, in order, each once: the known ones written, groups opened into their members (a group
     * with a member Istio does not know is left out whole, as Istio leaves it).
     */
    public static List<String> served(List<String> written) {
        Set<String> out = new LinkedHashSet<>();
        for (String w : written) {
            List<String> names = members(w);
            if (!names.isEmpty() && KNOWN.containsAll(names)) {
                out.addAll(names);
            }
        }
        return List.copyOf(out);
    }

    /** The entries of {@code written} that name no suite Istio knows (a group with any unknown member among them). */
    public static List<String> unknown(List<String> written) {
        List<String> out = new ArrayList<>();
        for (String w : written) {
            if (w == null || members(w).isEmpty() || !KNOWN.containsAll(members(w))) {
                out.add(w);
            }
        }
        return out;
    }

    private static List<String> members(String written) {
        if (written == null) {
            return List.of();
        }
        String w = written.strip();
        if (w.startsWith("[") && w.endsWith("]")) {
            return List.of(w.substring(1, w.length() - 1).split("\\|", -1)).stream().map(String::strip).toList();
        }
        return w.isEmpty() ? List.of() : List.of(w);
    }
}
