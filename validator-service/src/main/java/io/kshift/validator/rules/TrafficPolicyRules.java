package io.kshift.validator.rules;

import io.kshift.model.istio.LoadBalancerSettings;
import io.kshift.model.istio.LoadBalancerSettings.SimpleLb;
import io.kshift.model.istio.TrafficPolicy;
import io.kshift.model.resource.Resource;
import java.util.HashSet;
import java.util.Set;

/**
 * A DestinationRule's traffic policy as Istio validates it: load balancers served, consistent-hash cookies and hash
 * tables, slow start, locality load balancing, tunnels, the PROXY protocol, local-origin outlier detection and the
 * retry budget against maxRetries. Each finding names the field; a setting that does nothing where it is written is
 * warned about, as Istio warns.
 */
final class TrafficPolicyRules {
    private static final Set<SimpleLb> SERVED_LB = Set.of(SimpleLb.UNSPECIFIED, SimpleLb.ROUND_ROBIN, SimpleLb.RANDOM,
            SimpleLb.LEAST_REQUEST, SimpleLb.LEAST_CONN);

    private TrafficPolicyRules() {
    }

    /** A DestinationRule's policy (the host's or a subset's) written at {@code field}, and each of its ports'. */
    static void check(Resource r, String field, TrafficPolicy policy, Findings findings) {
        if (policy == null) {
            return;
        }
        cookie(r, field + ".loadBalancer", policy.loadBalancer(), findings);
        warmup(r, field + ".loadBalancer", policy.loadBalancer(), findings);
        hashTable(r, field + ".loadBalancer", policy.loadBalancer(), findings);
        locality(r, field + ".loadBalancer", policy.loadBalancer(), policy.outlierDetection() != null, findings);
        tunnel(r, field + ".tunnel", policy.tunnel(), findings);
        if (policy.proxyProtocol() != null) {
            findings.warn(r.key(), field + ".proxyProtocol", "sent on TCP and TLS routes' connections: requests to"
                    + " this host through the mesh port's default route are HTTP and go without it");
        }
        localOrigin(r, field + ".outlierDetection", policy.outlierDetection(), findings);
        for (int i = 0; i < policy.portLevelSettings().size(); i++) {
            cookie(r, field + ".portLevelSettings[" + i + "].loadBalancer",
                    policy.portLevelSettings().get(i).loadBalancer(), findings);
            warmup(r, field + ".portLevelSettings[" + i + "].loadBalancer",
                    policy.portLevelSettings().get(i).loadBalancer(), findings);
            hashTable(r, field + ".portLevelSettings[" + i + "].loadBalancer",
                    policy.portLevelSettings().get(i).loadBalancer(), findings);
            locality(r, field + ".portLevelSettings[" + i + "].loadBalancer",
                    policy.portLevelSettings().get(i).loadBalancer(),
                    policy.portLevelSettings().get(i).outlierDetection() != null, findings);
            localOrigin(r, field + ".portLevelSettings[" + i + "].outlierDetection",
                    policy.portLevelSettings().get(i).outlierDetection(), findings);
        }
        if (policy.loadBalancer() != null && policy.loadBalancer().simple() != null
                && !SERVED_LB.contains(policy.loadBalancer().simple())) {
            findings.error(r.key(), field + ".loadBalancer.simple", policy.loadBalancer().simple()
                    + " is not served; use ROUND_ROBIN, RANDOM, LEAST_REQUEST or LEAST_CONN");
        }
        for (int i = 0; i < policy.portLevelSettings().size(); i++) {
            var p = policy.portLevelSettings().get(i);
            if (p.loadBalancer() != null && p.loadBalancer().simple() != null
                    && !SERVED_LB.contains(p.loadBalancer().simple())) {
                findings.error(r.key(), field + ".portLevelSettings[" + i + "].loadBalancer.simple",
                        p.loadBalancer().simple() + " is not served; use ROUND_ROBIN, RANDOM, LEAST_REQUEST or"
                                + " LEAST_CONN");
            }
            if (policy.retryBudget() != null && maxRetries(p.connectionPool())) {
                findings.warn(r.key(), field + ".portLevelSettings[" + i + "].connectionPool.http.maxRetries",
                        "not used: " + field + ".retryBudget bounds retries in flight instead (as Envoy's budget"
                                + " overrides the retry circuit breaker)");
            }
        }
        if (policy.retryBudget() != null && maxRetries(policy.connectionPool())) {
            findings.warn(r.key(), field + ".connectionPool.http.maxRetries", "not used: retryBudget bounds retries"
                    + " in flight instead (as Envoy's budget overrides the retry circuit breaker)");
        }
    }

    /**
     * Attributes the proxy writes itself (Path where a path is set, Max-Age for a ttl above 0, HttpOnly always):
     * given again, a browser would keep one of the two (RFC 6265: the last).
     */
    private static final java.util.Map<String, String> COOKIE_OWN = java.util.Map.of("max-age", "ttl sets Max-Age",
            "path", "path sets Path", "httponly", "the proxy always sets HttpOnly");

    private static void cookie(Resource r, String field, io.kshift.model.istio.LoadBalancerSettings lb,
                               Findings findings) {
        var cookie = lb == null || lb.consistentHash() == null ? null : lb.consistentHash().httpCookie();
        if (cookie == null) {
            return;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < cookie.attributes().size(); i++) {
            String name = cookie.attributes().get(i).name();
            String key = name == null ? "" : name.toLowerCase(java.util.Locale.ROOT);
            String at = field + ".consistentHash.httpCookie.attributes[" + i + "].name";
            boolean written = switch (key) {
                case "path" -> cookie.path() != null && !cookie.path().isEmpty();
                case "max-age" -> io.kshift.model.mesh.IstioDuration.parse(cookie.ttl()).map(d -> !d.isZero())
                        .orElse(false);
                default -> COOKIE_OWN.containsKey(key);
            };
            if (written) {
                findings.error(r.key(), at, "'" + name + "' is not an attribute to add: " + COOKIE_OWN.get(key));
            } else if (!key.isEmpty() && !seen.add(key)) {
                findings.error(r.key(), at, "'" + name + "' is given twice");
            }
        }
        if (!cookie.attributes().isEmpty() && cookie.ttl() == null) {
            findings.warn(r.key(), field + ".consistentHash.httpCookie.attributes", "used only on a cookie the"
                    + " proxy makes, which needs a ttl; without one the client's cookie is hashed as it is");
        }
    }

    /** Istio refuses Maglev tables of 5000011 entries and more. */
    private static final long MAGLEV_MAX = 5_000_011L;

    /**
     * Envoy's hash tables for a consistent hash: one of them, a Maglev table of prime size (Envoy refuses another).
     * kshift's rendezvous hash has none, which the warning says: the guarantees are the same, the size is not used.
     */
    private static void hashTable(Resource r, String field, io.kshift.model.istio.LoadBalancerSettings lb,
                                  Findings findings) {
        var hash = lb == null ? null : lb.consistentHash();
        if (hash == null || hash.ringHash() == null && hash.maglev() == null && hash.minimumRingSize() == null) {
            return;
        }
        String at = field + ".consistentHash";
        if (hash.ringHash() != null && hash.maglev() != null) {
            findings.error(r.key(), at + ".maglev", "set ringHash or maglev, not both");
        }
        if (hash.minimumRingSize() != null && hash.minimumRingSize() > 0
                && (hash.ringHash() != null || hash.maglev() != null)) {
            findings.error(r.key(), at + ".minimumRingSize", "set the deprecated minimumRingSize or ringHash/maglev,"
                    + " not both");
        }
        Long size = hash.maglev() == null ? null : hash.maglev().tableSize();
        if (hash.maglev() != null && (size == null || size <= 0)) {
            findings.error(r.key(), at + ".maglev.tableSize", "must be set (a prime number)");
        } else if (size != null && size >= MAGLEV_MAX) {
            findings.error(r.key(), at + ".maglev.tableSize", "must be below " + MAGLEV_MAX + " (Envoy's limit)");
        } else if (size != null && !java.math.BigInteger.valueOf(size).isProbablePrime(30)) {
            findings.error(r.key(), at + ".maglev.tableSize", size + " must be a prime number (Envoy's Maglev table)");
        }
        String which = hash.maglev() != null ? "maglev" : hash.ringHash() != null ? "ringHash"
                : "minimumRingSize (deprecated: ringHash.minimumRingSize)";
        findings.warn(r.key(), at + "." + which.split(" ")[0], "taken, its size not used: kshift hashes keys by"
                + " rendezvous, which needs no ring or table; as with one, a key keeps its endpoint while the"
                + " endpoints stay, and an endpoint added or removed moves only its own share of keys"
                + (which.contains("deprecated") ? "; minimumRingSize is deprecated: use ringHash.minimumRingSize"
                : ""));
    }

    /** Istio's checks of a localityLbSetting: distribute or failover, shares of 100, localities (wildcard last). */
    private static void locality(Resource r, String field, io.kshift.model.istio.LoadBalancerSettings lb,
                                 boolean outlierDetection, Findings findings) {
        var setting = lb == null ? null : lb.localityLbSetting();
        if (setting == null) {
            return;
        }
        String at = field + ".localityLbSetting";
        if (!setting.distribute().isEmpty() && !setting.failover().isEmpty()) {
            findings.error(r.key(), at + ".failover", "set distribute or failover, not both");
        }
        for (int i = 0; i < setting.distribute().size(); i++) {
            var d = setting.distribute().get(i);
            String where = at + ".distribute[" + i + "]";
            localityPattern(r, where + ".from", d.from(), findings);
            d.to().keySet().forEach(to -> localityPattern(r, where + ".to", to, findings));
            d.to().forEach((to, share) -> {
                if (share == null || share < 1 || share > 100) {
                    findings.error(r.key(), where + ".to", "'" + to + "': a share is from 1 to 100");
                }
            });
            int total = d.to().values().stream().mapToInt(v -> v == null ? 0 : v).sum();
            if (total != 100) {
                findings.error(r.key(), where + ".to", "shares add up to " + total + "; they must add up to 100");
            }
        }
        for (int i = 0; i < setting.failover().size(); i++) {
            var f = setting.failover().get(i);
            String where = at + ".failover[" + i + "]";
            if (f.from() != null && f.from().equals(f.to())) {
                findings.error(r.key(), where + ".to", "'" + f.to() + "' is the region it fails over from");
            }
            for (String region : java.util.Arrays.asList(f.from(), f.to())) {
                if (region != null && (region.contains("/") || region.contains("*"))) {
                    findings.error(r.key(), where, "'" + region + "' is not a region: failover goes region to region");
                }
            }
        }
        if (!setting.failover().isEmpty() && !outlierDetection) {
            findings.warn(r.key(), at + ".failover", "does nothing without outlierDetection (as in Istio: without it"
                    + " no endpoint is ever found unhealthy, so traffic never fails over)");
        }
        failoverPriority(r, at, setting, outlierDetection, findings);
    }

    /** Istio's checks of failoverPriority: labels (or label=value), no topology label beside failover. */
    private static void failoverPriority(Resource r, String at, LoadBalancerSettings.LocalityLbSetting setting,
                                         boolean outlierDetection, Findings findings) {
        var entries = setting.failoverPriority();
        for (int i = 0; i < entries.size(); i++) {
            String entry = entries.get(i);
            String where = at + ".failoverPriority[" + i + "]";
            String label = entry == null ? "" : LoadBalancerSettings.LocalityLbSetting.priorityLabel(entry);
            String value = entry == null || label.length() == entry.length() ? "" : entry.substring(label.length() + 1);
            var problem = label.isEmpty() ? java.util.Optional.of("must name a label (key or key=value)")
                    : io.kshift.model.constraint.LabelMap.Check.problem(label, value);
            problem.ifPresent(p -> findings.error(r.key(), where, p));
            if (!setting.failover().isEmpty() && java.util.List.of(LoadBalancerSettings.LocalityLbSetting.REGION,
                    LoadBalancerSettings.LocalityLbSetting.ZONE, LoadBalancerSettings.LocalityLbSetting.SUBZONE)
                    .contains(entry)) {
                // Istio compares the whole entry: a topology label with a value (key=value) is let through.
                findings.error(r.key(), where, "can not simultaneously set 'failover' and topology label '" + entry
                        + "' in failoverPriority (as Istio refuses it)");
            }
        }
        if (entries.isEmpty()) {
            return;
        }
        if (!setting.distribute().isEmpty()) {
            findings.warn(r.key(), at + ".failoverPriority", "ignored: distribute is given, and that one applies"
                    + " (as in Istio)");
        } else if (!outlierDetection) {
            findings.warn(r.key(), at + ".failoverPriority", "does nothing without outlierDetection (as in Istio:"
                    + " without it no endpoint is ever found unhealthy, so traffic never fails over)");
        }
    }

    /** {@code region/zone/subzone}, a {@code *} standing for the rest only as the last part. */
    private static void localityPattern(Resource r, String field, String pattern, Findings findings) {
        if (pattern == null) {
            return;
        }
        String[] parts = pattern.split("/", -1);
        boolean ok = parts.length <= 3 && !pattern.isBlank();
        for (int i = 0; ok && i < parts.length; i++) {
            ok = !parts[i].isEmpty() && (!parts[i].contains("*") || parts[i].equals("*") && i == parts.length - 1);
        }
        if (!ok) {
            findings.error(r.key(), field, "'" + pattern + "' is not a locality (region/zone/subzone, a '*' only as"
                    + " its last part)");
        }
    }

    /** Istio: a local-origin threshold needs the failures split (it refuses one without, as kshift does). */
    private static void localOrigin(Resource r, String field, io.kshift.model.istio.OutlierDetection od,
                                    Findings findings) {
        if (od != null && od.consecutiveLocalOriginFailures() != null && od.consecutiveLocalOriginFailures() > 0
                && !od.splitsLocalOrigin()) {
            findings.error(r.key(), field + ".consecutiveLocalOriginFailures", "needs"
                    + " splitExternalLocalOriginErrors: true (without it, connect failures, resets and timeouts count"
                    + " as 5xx and gateway errors)");
        }
    }

    /** Istio's tunnel: CONNECT (its default; POST is not served), to a DNS name or an IP address. */
    private static void tunnel(Resource r, String field, TrafficPolicy.TunnelSettings tunnel, Findings findings) {
        if (tunnel == null) {
            return;
        }
        String protocol = tunnel.protocol() == null ? "CONNECT" : tunnel.protocol().toUpperCase(java.util.Locale.ROOT);
        if (protocol.equals("POST")) {
            findings.error(r.key(), field + ".protocol", "POST tunnels are not served by this kshift version; use"
                    + " CONNECT");
        } else if (!protocol.equals("CONNECT")) {
            findings.error(r.key(), field + ".protocol", "'" + tunnel.protocol() + "' is not a tunnel protocol; use"
                    + " CONNECT");
        }
        String host = tunnel.targetHost();
        // A DNS name's syntax covers an IPv4 address too.
        if (host != null && !ipv6(host) && !host.matches("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]"
                + "([A-Za-z0-9-]*[A-Za-z0-9])?)*\\.?")) {
            findings.error(r.key(), field + ".targetHost", "'" + host + "' must be a DNS name or an IP address");
        }
    }

    private static boolean ipv6(String host) {
        if (!host.contains(":") || !host.matches("[0-9A-Fa-f:.]+")) {
            return false;
        }
        try {
            return java.net.InetAddress.getByName(host) instanceof java.net.Inet6Address; // a literal: no lookup
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** Slow start where it does nothing: Envoy has it for round-robin and least-request balancers only. */
    private static void warmup(Resource r, String field, io.kshift.model.istio.LoadBalancerSettings lb,
                               Findings findings) {
        if (lb == null || lb.slowStart().isEmpty()) {
            return;
        }
        String at = field + (lb.warmup() != null ? ".warmup" : ".warmupDurationSecs");
        if (lb.warmup() != null && lb.warmupDurationSecs() != null) {
            findings.warn(r.key(), field + ".warmupDurationSecs", "ignored: warmup is given, and that one applies");
        }
        if (lb.consistentHash() != null) {
            findings.warn(r.key(), at, "ignored with consistentHash: a key keeps its endpoint whatever its age (slow"
                    + " start is for ROUND_ROBIN and LEAST_REQUEST)");
        } else if (lb.simple() == io.kshift.model.istio.LoadBalancerSettings.SimpleLb.RANDOM) {
            findings.warn(r.key(), at, "ignored with RANDOM (slow start is for ROUND_ROBIN and LEAST_REQUEST, as"
                    + " Envoy's)");
        }
    }

    private static boolean maxRetries(io.kshift.model.istio.ConnectionPoolSettings pool) {
        return pool != null && pool.http() != null && pool.http().maxRetries() != null;
    }
}
