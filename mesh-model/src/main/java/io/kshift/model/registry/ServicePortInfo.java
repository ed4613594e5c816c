package io.kshift.model.registry;

import java.util.Locale;
import java.util.Set;

/**
 * A port of a service: the number clients name, its name, where endpoints listen when they do not say (a numeric
 * target port, or the port's own number), and its application protocol as Istio selects it ({@code protocol},
 * upper case, or null when nothing says).
 */
public record ServicePortInfo(int number, String name, Integer targetPort, String targetPortName, String protocol) {
    /** Protocols spoken over HTTP/2 to the endpoints. */
    private static final Set<String> HTTP2 = Set.of("GRPC", "GRPC-WEB", "HTTP2");

    public ServicePortInfo(int number, String name, Integer targetPort, String targetPortName) {
        this(number, name, targetPort, targetPortName, null);
    }

    /** Whether requests to this port go over HTTP/2 (gRPC or HTTP/2 declared). */
    public boolean http2() {
        return protocol != null && HTTP2.contains(protocol);
    }

    /**
     * Istio's protocol selection for a Kubernetes Service port: {@code appProtocol} first ({@code kubernetes.io/h2c}
     * is HTTP/2), else the port name's prefix before the first {@code -} ({@code grpc-api}, {@code http2}).
     */
    public static String kubernetesProtocol(String appProtocol, String portName) {
        if (appProtocol != null && !appProtocol.isBlank()) {
            String a = appProtocol.toLowerCase(Locale.ROOT);
            return a.equals("kubernetes.io/h2c") ? "HTTP2" : a.equals("kubernetes.io/ws") ? "HTTP"
                    : a.equals("kubernetes.io/wss") ? "HTTPS" : a.toUpperCase(Locale.ROOT);
        }
        if (portName == null || portName.isEmpty()) {
            return null;
        }
        String name = portName.toUpperCase(Locale.ROOT);
        if (name.equals("GRPC-WEB") || name.startsWith("GRPC-WEB-")) {
            return "GRPC-WEB";
        }
        int dash = name.indexOf('-');
        String prefix = dash < 0 ? name : name.substring(0, dash);
        return Set.of("GRPC", "HTTP", "HTTP2", "HTTPS", "TCP", "TLS", "MONGO", "MYSQL", "REDIS", "UDP")
                .contains(prefix) ? prefix : null;
    }
}
