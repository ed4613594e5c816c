package io.kshift.model.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Host names as routes write them and requests carry them: wildcards, short service names, ports. */
public final class HostNames {
    private static final String CLUSTER = ".svc.cluster.local";

    private HostNames() {
    }

    /** Whether {@code pattern} ({@code *}, {@code *.example.com} or a name) covers {@code host}. */
    public static boolean matches(String pattern, String host) {
        String p = pattern.toLowerCase(Locale.ROOT);
        String h = host.toLowerCase(Locale.ROOT);
        if (p.equals("*") || p.equals(h)) {
            return true;
        }
        return p.startsWith("*.") && (h.endsWith(p.substring(1)) || (h.startsWith("*.") && h.endsWith(p.substring(1))));
    }

    /**
     * The names a request may use for a route host, as an Istio sidecar answers them: a short service name
     * {@code httpbin} seen from namespace {@code default} also answers {@code httpbin.default},
     * {@code httpbin.default.svc} and {@code httpbin.default.svc.cluster.local}; a fully qualified one answers the
     * shorter forms. A name with a port ({@code httpbin:8000}, a Gateway API Service parent's) answers each form
     * with that port.
     */
    public static List<String> expand(String host, String namespace) {
        int colon = portColon(host);
        if (colon > 0) {
            String port = host.substring(colon);
            return expand(host.substring(0, colon), namespace).stream().map(n -> n + port).toList();
        }
        String h = host.toLowerCase(Locale.ROOT);
        List<String> names = new ArrayList<>();
        names.add(h);
        if (!h.contains(".") && !h.contains("*")) {
            names.add(h + "." + namespace);
            names.add(h + "." + namespace + ".svc");
            names.add(h + "." + namespace + CLUSTER);
        } else if (h.split("\\.").length == 2 && !h.contains("*")) {
            names.add(h + ".svc");
            names.add(h + CLUSTER);
        } else if (h.endsWith(CLUSTER)) {
            // A fully qualified service name answers the shorter forms too (the short one as its namespace sees it).
            String[] parts = h.split("\\.");
            names.add(parts[0]);
            names.add(parts[0] + "." + parts[1]);
            names.add(parts[0] + "." + parts[1] + ".svc");
        }
        return names;
    }

    /** A route host without its {@code :port} if it has one (an IPv6 address, written bare, has none). */
    public static String withoutRoutePort(String host) {
        int colon = portColon(host);
        return colon > 0 ? host.substring(0, colon) : host;
    }

    /** Where a route host's {@code :port} starts: digits after the only colon; -1 for none. */
    private static int portColon(String host) {
        int colon = host.lastIndexOf(':');
        if (colon <= 0 || colon == host.length() - 1 || host.indexOf(':') != colon) {
            return -1;
        }
        for (int i = colon + 1; i < host.length(); i++) {
            if (!Character.isDigit(host.charAt(i))) {
                return -1;
            }
        }
        return colon;
    }

    /** The host of a Host / :authority header, without the port, lower case. */
    public static String withoutPort(String authority) {
        if (authority == null) {
            return "";
        }
        String a = authority.toLowerCase(Locale.ROOT);
        if (a.startsWith("[")) {
            int end = a.indexOf(']');
            return end < 0 ? a : a.substring(0, end + 1);
        }
        int colon = a.lastIndexOf(':');
        return colon < 0 ? a : a.substring(0, colon);
    }
}
