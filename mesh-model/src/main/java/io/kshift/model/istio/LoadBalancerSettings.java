package io.kshift.model.istio;

import io.kshift.model.constraint.OneOf;
import jakarta.validation.Valid;

/**
 * {@code loadBalancer}: how an endpoint is chosen inside a subset, either a simple policy or a consistent hash, and
 * whether endpoints that newly join get a growing share of it over a warm-up window ({@code warmup}, or the
 * deprecated {@code warmupDurationSecs}: Envoy's slow start).
 */
@OneOf({"simple", "consistentHash"})
public record LoadBalancerSettings(SimpleLb simple, @Valid ConsistentHashLb consistentHash,
                                   @io.kshift.model.constraint.IstioDurationValue String warmupDurationSecs,
                                   @Valid Warmup warmup, @Valid LocalityLbSetting localityLbSetting) {

    public LoadBalancerSettings(SimpleLb simple) {
        this(simple, null);
    }

    public LoadBalancerSettings(SimpleLb simple, ConsistentHashLb consistentHash) {
        this(simple, consistentHash, null, null, null);
    }

    public LoadBalancerSettings(SimpleLb simple, ConsistentHashLb consistentHash, String warmupDurationSecs,
                                Warmup warmup) {
        this(simple, consistentHash, warmupDurationSecs, warmup, null);
    }

    /**
     * Istio's locality load balancing, relative to the locality of the proxy node ({@code region/zone/subzone}):
     * with outlier detection on, endpoints nearer the node come first and traffic fails over outwards as they turn
     * unhealthy ({@code failover} naming the region a region fails over to first); {@code distribute} instead sends
     * fixed shares to localities; {@code enabled: false} turns it off for the destination.
     */
    public record LocalityLbSetting(java.util.List<@Valid Distribute> distribute,
                                    java.util.List<@Valid Failover> failover, Boolean enabled,
                                    java.util.List<String> failoverPriority) {
        public LocalityLbSetting {
            distribute = io.kshift.model.Lists.copy(distribute);
            failover = io.kshift.model.Lists.copy(failover);
            failoverPriority = io.kshift.model.Lists.copy(failoverPriority);
        }

        public LocalityLbSetting(java.util.List<Distribute> distribute, java.util.List<Failover> failover,
                                 Boolean enabled) {
            this(distribute, failover, enabled, null);
        }

        /** Istio's topology labels a failoverPriority entry may name, read off a locality. */
        public static final String REGION = "topology.kubernetes.io/region";
        public static final String ZONE = "topology.kubernetes.io/zone";
        public static final String SUBZONE = "topology.istio.io/subzone";

        /** The label a failoverPriority entry names: {@code key} or {@code key=value}. */
        public static String priorityLabel(String entry) {
            int eq = entry.indexOf('=');
            return eq < 0 ? entry : entry.substring(0, eq);
        }

        public boolean on() {
            return !Boolean.FALSE.equals(enabled);
        }

        /** From a locality ({@code region/zone/subzone}, {@code *} wildcards), shares (0-100) to localities. */
        public record Distribute(@jakarta.validation.constraints.NotBlank(message = "is required") String from,
                                 java.util.Map<String, @jakarta.validation.constraints.PositiveOrZero(
                                         message = "must not be negative") Integer> to) {
            public Distribute {
                to = to == null ? java.util.Map.of() : java.util.Collections.unmodifiableMap(
                        new java.util.LinkedHashMap<>(to));
            }
        }

        /** Traffic from region {@code from} fails over to region {@code to} before any other. */
        public record Failover(@jakarta.validation.constraints.NotBlank(message = "is required") String from,
                               @jakarta.validation.constraints.NotBlank(message = "is required") String to) {
        }
    }

    /**
     * Envoy's slow start: an endpoint's weight is scaled by {@code max(minimumPercent / 100, (t / duration) ^ (1 /
     * aggression))} for the {@code duration} after it joins (t at least a second); defaults 10 % and 1.0.
     */
    public record Warmup(@jakarta.validation.constraints.NotBlank(message = "is required")
                         @io.kshift.model.constraint.IstioDurationValue String duration,
                         @jakarta.validation.constraints.DecimalMin(value = "0", message = "must be between 0 and 100")
                         @jakarta.validation.constraints.DecimalMax(value = "100", message = "must be between 0 and 100")
                         Double minimumPercent,
                         @jakarta.validation.constraints.DecimalMin(value = "0", inclusive = false,
                                 message = "must be greater than 0") Double aggression) {
        public double minimumFraction() {
            return (minimumPercent == null ? 10.0 : minimumPercent) / 100.0;
        }

        public double effectiveAggression() {
            return aggression == null ? 1.0 : aggression;
        }
    }

    /** The warm-up asked for: {@code warmup}, else {@code warmupDurationSecs} with the defaults; empty for none. */
    public java.util.Optional<Warmup> slowStart() {
        if (warmup != null) {
            return java.util.Optional.of(warmup);
        }
        return warmupDurationSecs == null ? java.util.Optional.empty()
                : java.util.Optional.of(new Warmup(warmupDurationSecs, null, null));
    }

    public enum SimpleLb {
        UNSPECIFIED, ROUND_ROBIN, RANDOM, LEAST_REQUEST, LEAST_CONN, PASSTHROUGH
    }

    /**
     * Sticky endpoint choice: requests with the same header, cookie, query parameter or source IP go to one endpoint.
     * {@code ringHash} / {@code maglev} (and the deprecated {@code minimumRingSize}) name Envoy's hash tables; kshift
     * hashes by rendezvous, which has the same guarantees without a table, so their sizes are taken and not used.
     */
    @OneOf(value = {"httpHeaderName", "httpCookie", "useSourceIp", "httpQueryParameterName"}, required = true)
    public record ConsistentHashLb(@io.kshift.model.constraint.HeaderFields(
            part = io.kshift.model.constraint.HeaderFields.Part.NAME) String httpHeaderName,
                                   @Valid HttpCookie httpCookie, Boolean useSourceIp,
                                   String httpQueryParameterName, @Valid RingHash ringHash, @Valid Maglev maglev,
                                   @jakarta.validation.constraints.PositiveOrZero(message = "must not be negative")
                                   Long minimumRingSize) {
        public ConsistentHashLb(String httpHeaderName, HttpCookie httpCookie, Boolean useSourceIp,
                                String httpQueryParameterName) {
            this(httpHeaderName, httpCookie, useSourceIp, httpQueryParameterName, null, null, null);
        }
    }

    public record RingHash(@jakarta.validation.constraints.PositiveOrZero(message = "must not be negative")
                           Long minimumRingSize) {
    }

    public record Maglev(@jakarta.validation.constraints.Positive(message = "must be a prime number")
                         Long tableSize) {
    }

    /**
     * The cookie to hash on; with a {@code ttl}, a proxy makes and sets it (Set-Cookie) when the request has none,
     * with {@code attributes} (say {@code SameSite=Strict}, {@code Secure}) after its Path, as Envoy writes them.
     */
    public record HttpCookie(@jakarta.validation.constraints.NotBlank(message = "is required")
                             @io.kshift.model.constraint.HeaderFields(
                                     part = io.kshift.model.constraint.HeaderFields.Part.NAME) String name,
                             @jakarta.validation.constraints.Pattern(regexp = "[\\x21-\\x3A\\x3C-\\x7E]*",
                                     message = "must be a cookie path: printable ASCII without spaces or ';'")
                             String path,
                             @io.kshift.model.constraint.IstioDurationValue String ttl,
                             java.util.List<@Valid Attribute> attributes) {
        public HttpCookie {
            attributes = io.kshift.model.Lists.copy(attributes);
        }

        public HttpCookie(String name, String path, String ttl) {
            this(name, path, ttl, null);
        }
    }

    /** One cookie attribute: {@code name=value}, or {@code name} alone without a value. */
    public record Attribute(
            @jakarta.validation.constraints.NotBlank(message = "is required")
            @jakarta.validation.constraints.Pattern(regexp = "[!#$%&'*+.^_`|~0-9A-Za-z-]*",
                    message = "must be a cookie attribute name (letters, digits and !#$%&'*+.^_`|~-; no spaces, ';'"
                            + " or '=')") String name,
            @jakarta.validation.constraints.Pattern(regexp = "[^;\\x00-\\x1f\\x7f]*",
                    message = "must not hold ';' or control characters") String value) {
    }
}
