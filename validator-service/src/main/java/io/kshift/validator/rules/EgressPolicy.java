package io.kshift.validator.rules;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where the mesh may not send traffic unless an admin allows it: address ranges (link-local by default, where
 * cloud metadata services answer) and the fleet's own endpoints ({@code host:port}: Kafka, the APIs, the proxies'
 * admin ports). An entry of the allow-list (a range or a {@code host:port}) lifts a denial. Only addresses written
 * as IP literals are matched against ranges: names are resolved by proxies at connect time, not here.
 */
public final class EgressPolicy {
    public static final List<String> DEFAULT_DENIED = List.of("169.254.0.0/16", "fe80::/10");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final List<Rule> denied;
    private final List<Rule> allowed;

    private EgressPolicy(List<Rule> denied, List<Rule> allowed) {
        this.denied = denied;
        this.allowed = allowed;
    }

    /** Link-local ranges only (tests, and a validator told nothing about its fleet). */
    public static EgressPolicy defaults() {
        return of(DEFAULT_DENIED, List.of());
    }

    /** Entries: {@code a.b.c.d/n}, {@code ipv6/n}, {@code host:port} or {@code [ipv6]:port}. */
    public static EgressPolicy of(Collection<String> denied, Collection<String> allowed) {
        return new EgressPolicy(parse(denied), parse(allowed));
    }

    /** Why traffic to {@code host} (any port) is refused, when a range denies it; empty otherwise. */
    public Optional<String> denialOf(String host) {
        return denialOf(host, -1);
    }

    /** Why traffic to {@code host:port} is refused; empty when it may go there. */
    public Optional<String> denialOf(String host, int port) {
        if (host == null || host.isBlank()) {
            return Optional.empty();
        }
        String h = normalize(host);
        for (Rule d : denied) {
            if (d.matches(h, port) && allowed.stream().noneMatch(a -> a.matches(h, port))) {
                return Optional.of(d.why(host, port));
            }
        }
        return Optional.empty();
    }

    private static String normalize(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }

    private static List<Rule> parse(Collection<String> entries) {
        List<Rule> rules = new ArrayList<>();
        for (String raw : entries) {
            String e = raw.trim();
            if (e.isEmpty()) {
                continue;
            }
            if (e.contains("/")) {
                rules.add(Range.parse(e));
            } else {
                int colon = e.lastIndexOf(':');
                if (colon <= 0 || !e.substring(colon + 1).matches("\\d+")) {
                    throw new IllegalArgumentException("egress entry '" + e + "' is neither a range (a.b.c.d/n) nor"
                            + " host:port");
                }
                rules.add(new HostPort(normalize(e.substring(0, colon)), Integer.parseInt(e.substring(colon + 1))));
            }
        }
        return List.copyOf(rules);
    }

    /** The address of an IP literal; empty for a name (never resolved here). */
    static Optional<byte[]> literal(String host) {
        if (!IPV4.matcher(host).matches() && !host.contains(":")) {
            return Optional.empty();
        }
        try {
            // A literal: getByName parses it without a DNS lookup.
            return Optional.of(InetAddress.getByName(host).getAddress());
        } catch (UnknownHostException | SecurityException e) {
            return Optional.empty();
        }
    }

    private interface Rule {
        boolean matches(String host, int port);

        String why(String host, int port);
    }

    private record HostPort(String host, int port) implements Rule {
        @Override
        public boolean matches(String h, int p) {
            if (p != port) {
                return false;
            }
            if (host.equals(h) || kubernetes(host).equals(kubernetes(h)) || (local(host) && local(h))) {
                return true;
            }
            Optional<byte[]> a = literal(host);
            Optional<byte[]> b = literal(h);
            return a.isPresent() && b.isPresent() && java.util.Arrays.equals(a.get(), b.get());
        }

        /**
         * A Kubernetes name in its full form, however it is written: {@code name.namespace},
         * {@code pod.service.namespace}, their {@code .svc} forms and {@code .svc.cluster.local} ones, with or without
         * the trailing dot, all reach the same Service or pod through a pod's resolver (its search path is tried
         * first for names of fewer than five dots, {@code ndots:5}); a deny entry names one of them and a route must
         * not reach it by another (config-service.kshift was not config-service.kshift.svc.cluster.local). Single
         * labels and longer names as they are.
         */
        private static String kubernetes(String h) {
            String c = h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
            if (c.endsWith(".svc")) {
                return c + ".cluster.local";
            }
            long dots = c.chars().filter(ch -> ch == '.').count();
            if (!c.endsWith(".svc.cluster.local") && dots >= 1 && dots < 5 && literal(c).isEmpty()) {
                return c + ".svc.cluster.local";
            }
            return c;
        }

        /**
         * This machine, however written: localhost, any 127.x address, ::1, or the unspecified address (which a
         * connect reaches this machine through too). A fleet endpoint on loopback is denied under every name.
         */
        private static boolean local(String h) {
            if (h.equals("localhost") || h.endsWith(".localhost")) {
                return true;
            }
            Optional<byte[]> a = literal(h);
            if (a.isEmpty()) {
                return false;
            }
            try {
                InetAddress address = InetAddress.getByAddress(a.get());
                return address.isLoopbackAddress() || address.isAnyLocalAddress();
            } catch (UnknownHostException e) {
                return false;
            }
        }

        @Override
        public String why(String h, int p) {
            return h + ":" + p + " is one of kshift's own endpoints";
        }
    }

    private record Range(String text, byte[] network, int bits) implements Rule {
        static Range parse(String cidr) {
            String[] parts = cidr.split("/", 2);
            byte[] net = literal(parts[0].trim()).orElseThrow(() -> new IllegalArgumentException(
                    "egress range '" + cidr + "' does not start with an IP address"));
            int bits = Integer.parseInt(parts[1].trim());
            if (bits < 0 || bits > net.length * 8) {
                throw new IllegalArgumentException("egress range '" + cidr + "' has a bad prefix length");
            }
            return new Range(cidr, net, bits);
        }

        @Override
        public boolean matches(String h, int p) {
            Optional<byte[]> a = literal(h);
            if (a.isEmpty() || a.get().length != network.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >>> (i % 8);
                if ((a.get()[i / 8] & mask) != (network[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String why(String h, int p) {
            return h + " is in " + text + (text.equals("169.254.0.0/16") || text.equals("fe80::/10")
                    ? " (link-local: where cloud metadata services answer)" : "");
        }
    }
}
